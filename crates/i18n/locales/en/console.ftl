# The console (the CSR's app), English.

## Start screen
start-title = Start a support session
start-name = Your name
start-name-hint = Shown to the customer
start-organisation = Organisation
start-session-type = Session type
start-tracking-code = Tracking code
start-tracking-code-required = Tracking code (required)
start-tracking-hint = Optional, e.g. a ticket number
start-tracking-hint-required = Needed for this session type
start-button = Start session
start-starting = Starting the session…
start-name-missing = Please enter your name: the customer sees it before allowing anything.
start-tracking-required = A "{ $kind }" session needs a tracking code.
start-label-too-long = The organisation, the session type and the tracking code may each be at most { $max } bytes (fewer letters with accents), without control characters.
start-failed = Cannot start the session: { $why }
taking-over = Taking the session over…
start-history-problem = Sessions are not being kept. { $why }
start-settings-problem = Your settings could not be read, so the defaults are used ({ $why }). Saving the settings keeps the old file beside the new one.
history-button = History
history-button-tip = Sessions kept so far: search, open, export
settings-button = Settings
settings-button-tip = Your name, organisation, session types, language, theme and port

## Session screen: toolbar
tool-invite = Invite
tool-participants = Participants
tool-chat = Chat
tool-chat-unread = Chat ({ $count })
tool-chat-unread-name = Chat, { $count ->
    [one] one unread message
   *[other] { $count } unread messages
}
tool-audio = Audio
tool-video = Video
tool-remote-control = Remote control
tool-file-transfer = File transfer
tool-system-info = System info
tool-notes = Notes
tool-record = Record
tool-end = End session…
tool-tip = { $what } ({ $keys })
tool-invite-tip = Invite a customer or another support representative
tool-participants-tip = Who is here, what each customer allowed, how good each connection is
tool-chat-tip = Chat with everyone, the support representatives, or one person
tool-remote-control-tip = Ask to see or control the customer's screen
tool-notes-tip = Your notes, kept with the session
tool-end-tip = End the session for everyone, with end-of-session notes
tool-system-info-tip = Ask a customer for a description of their computer, and read it
tool-unavailable = Not available yet in this version of Deskside.
session-started = · started { $time }

## Invite panel
invite-heading = Invite
invite-role-customer = Customer
invite-role-csr = Support representative
invite-explain-customer = Send the customer this link, or read them the code. It works once.
invite-explain-csr = Send another support representative this link; they join from their own console. It works once.
invite-copy-link = Copy link
invite-copy-code = Copy code
invite-email = Email…
invite-email-tip = Opens your mail program with the invitation written
invite-expires = Expires at { $time }
invite-none = No open invite of this kind. Make one with New invite.
invite-new = New invite
invite-new-tip = Make another single-use invite of the kind chosen above
invite-identity = Your identity words: { $words }
invite-identity-tip = The customer sees these words too; read them aloud if they ask who you are.
invite-open = Open invites
invite-open-none = None: every invite was used, revoked or has expired.
invite-until = until { $time }
invite-revoke = Revoke
invite-revoke-tip = Nobody can join with this invite any more
email-subject = Your support session with { $organisation }
email-body = Hello,

    { $csr } from { $organisation } invites you to a support session.

    1. Install the Deskside agent if you do not have it yet.
    2. Open this link: { $link }
       or type this code in the agent: { $code }

    The invitation works once and expires at { $time }.
    Before you join, the agent shows these words: { $words }. If they are different, do not join.

    Nothing on your computer is shared until you allow it, and you can stop at any moment.

## Participants panel
participants-heading = Participants
participant-make-primary = Make primary
participant-make-primary-tip = Share and control { $name }'s screen instead; the current primary customer's sharing stops
participant-left = { $role }, left
grant-view = view screen
grant-control = control mouse and keyboard
grant-files = browsing and moving files on their computer
grant-system-info = system information
grant-recording = recording
grant-allowed = Allowed: { $what }
grant-not-allowed = Not allowed: { $what }
grant-not-available = Not available yet: { $what }
quality-line = { $path } · { $rtt } ms · { $loss } % lost
quality-direct = direct
quality-relayed = via relay
quality-relayed-tip = Connection { $quality }, through the team's relay (the routers between you let no direct path through yet): round-trip time and packets lost
quality-good = good
quality-fair = fair
quality-poor = poor
quality-tip = Connection { $quality }: round-trip time and packets lost

## Roles
the-customer = The customer

## Chat panel

## Remote control panel and viewer
remote-heading = Remote control
remote-explain = Each option asks the customer first; they can stop at any moment.
remote-view-desktop = View desktop
remote-control-desktop = Control desktop
remote-stop-view = Stop viewing
remote-stop-view-tip = You no longer see { $name }'s screen (nor control it); they are told you stopped
remote-stop-control = Stop control
remote-stop-control-tip = You keep seeing { $name }'s screen but no longer use their mouse and keyboard; they are told you stopped
remote-view-app = View one application…
remote-control-app = Control one application…
remote-no-customer = No customer has joined yet
remote-waiting = Waiting for the customer's answer
remote-already = Already allowed
viewer-monitor = Screen
viewer-all-monitors = All monitors
viewer-fit = Fit to window
viewer-actual-size = Actual size
viewer-full-screen = Full screen
viewer-full-screen-tip = Show only the customer's screen ({ $keys } to come back)
viewer-exit-full-screen = Exit full screen ({ $keys })
viewer-send-keys = Send keys
viewer-capture-keyboard = Send my keyboard
viewer-capture-keyboard-tip = When ticked, keys typed over the customer's screen go to their computer
viewer-name = { $name }'s screen

## Banner and notices
banner-waiting-customer = Waiting for a customer to join with the invite
banner-joined = { $name } has joined. Use Remote control to ask to see their screen.
banner-waiting-answer = Waiting for { $name } to answer your request
banner-viewing = Viewing { $name }'s screen
banner-controlling = Controlling { $name }'s screen: click it to type
banner-controlling-mouse = Controlling { $name }'s mouse (your keyboard stays here)
banner-paused = Paused: { $name } stopped sharing. Ask again from Remote control.
notice-allowed = { $name } allowed you to { $what }.
notice-refused = { $name } did not allow you to { $what }.
notice-you-stopped-view = You stopped viewing { $name }'s screen. Ask again from Remote control to see it.
notice-you-stopped-control = You stopped controlling { $name }'s screen; you still see it.
notice-input-refused = The customer's computer refused your input: control is not allowed.
notice-relay-refused = Your team's relay refused this console's relay token: customers can reach you on direct paths only. Check the relay token in Settings.
notice-link-direct = { $name }'s connection is now direct: it no longer goes through the team's relay.
notice-link-relayed = { $name }'s connection now goes through the team's relay (the direct path was lost).
viewer-slow-line = Slow connection: the picture is reduced
viewer-slow-line-tip = { $name }'s connection carries less than the screen needs just now: fewer pictures a second, and moving parts less sharp. Text stays exact, and your typing and clicks still go first.
notice-invite-file = Cannot write the invite to { $path }: { $why }
notice-invite-failed = Cannot make an invite: { $why }
notice-system-info = { $name } sent their system information.
notice-email-failed = Cannot open your mail program: { $why }

## Notes panel
notes-heading = Notes
notes-explain = Kept with the session. The customer does not see them.
notes-label = Session notes
notes-hint = What you found, what you tried
notes-save = Save
notes-autosave = Saved as you type

## End dialog and summary
end-title = End the session
end-explain = Everyone will be disconnected and sharing stops.
end-notes = End-of-session notes
end-notes-hint = What was the problem, what did you do, what is left to do?
end-confirm = End session
end-cancel = Cancel
summary-title = Session ended
summary-type = Session type
summary-tracking-code = Tracking code
summary-time = Time
summary-participants = Participants
summary-chat = Chat messages
summary-notes = Notes
summary-kept = Kept in the session history.
summary-not-kept = Not kept in the session history. { $why }
summary-again = Start another session
duration-under-a-minute = under a minute
duration-minutes = { $minutes } min

## History
history-title = Session history
history-close = Close
history-query = Tracking code or customer
history-from = From
history-until = Until
history-search = Search
history-bad-date = Write dates as year-month-day, for example 2026-11-26.
history-no-match = No session matches.
history-saved = Saved to { $path }
history-save-failed = Could not save { $path }: { $why }
history-col-started = Started
history-col-tracking-code = Tracking code
history-col-type = Type
history-col-customers = Customers
history-col-outcome = Outcome
history-open = Open
history-back = All sessions
history-export-html = Export HTML
history-export-json = Export JSON
history-csr = Support representative
history-started = Started
history-ended = Ended
history-outcome = Outcome
history-participants = Participants
history-participant = { $name } ({ $role }): joined { $joined }
history-participant-left = { $name } ({ $role }): joined { $joined }, left { $left }
history-consent = Consent
history-consent-none = Nothing was asked for.
history-consent-allowed = { $when } { $who } allowed: { $what }
history-consent-stopped = { $when } { $who } refused or stopped: { $what }
history-chat = Chat
history-chat-none = No messages.
history-chat-to = to { $to }
history-files = Files
history-file = { $when } { $name } ({ $size } bytes, { $direction }, { $who }): { $outcome }
history-system-info = System information
history-system-info-from = From { $name }, { $when }
history-system-info-open = Open
history-notes = Notes
history-end-notes = End-of-session notes
outcome-running = running
outcome-ended = ended
outcome-ended-unexpectedly = ended unexpectedly

## Settings
settings-title = Settings
settings-name = Your name
settings-organisation = Organisation
settings-language = Language
settings-language-system = System ({ $name })
settings-theme = Theme
settings-theme-system = System
settings-theme-light = Light
settings-theme-dark = Dark
settings-port = Listen port
settings-port-tip = The UDP port customers connect to; 0 picks a free one for each session
settings-relays = Team relays
settings-relays-tip = Your team's relay servers (https://…), one a line: customers behind routers that let no direct connection through reach you through them. Leave empty for direct connections only.
settings-relay-token = Relay token
settings-relay-token-tip = The token your team's relays admit (your administrator has it). It goes into your invites so that customers' agents may use the relay.
settings-session-types = Session types
settings-session-types-explain = The kinds of session offered when you start one.
settings-type-name = Session type { $number }
settings-type-required = Tracking code required
settings-type-remove = Remove
settings-type-add = Add session type
settings-save = Save
settings-cancel = Cancel
settings-save-failed = The settings were not saved: { $why }
settings-problem-name = Please enter your name: not empty, not too long, no invisible characters.
settings-problem-organisation = The organisation name is too long or has invisible characters.
settings-problem-no-types = Keep at least one session type.
settings-problem-type-name = Every session type needs a name of up to 64 characters.
settings-problem-duplicate-type = Two session types have the same name.
settings-problem-too-many-types = Keep at most { $max } session types.
settings-problem-port = The port must be a number from 0 to 65535.
settings-problem-relay = Each relay must be an address starting with https:// (at most { $max }).
settings-problem-relay-token = The relay token must be 16 to 128 letters, digits, '-', '_' or '.', and relays need one.

## System information
sysinfo-heading = System information
sysinfo-explain = Ask a customer for a description of their computer. They see what would be sent and choose before anything is sent.
sysinfo-request = Ask { $name }
sysinfo-received-heading = Received
sysinfo-none = Nothing received yet.
sysinfo-open = Open
sysinfo-title = System information: { $name }
sysinfo-received = Received { $time }
sysinfo-search = Search
sysinfo-search-hint = Program, disk, address…
sysinfo-save-json = Save JSON
sysinfo-save-html = Save HTML
sysinfo-print = Print…
sysinfo-print-tip = Opens the report in your browser, ready to print
sysinfo-print-failed = The report could not be opened for printing: { $why }
sysinfo-section = { $name } ({ $count })
sysinfo-section-found = { $name } ({ $found } of { $count })
sysinfo-col-name = Name
sysinfo-col-mount = Mounted at
sysinfo-col-file-system = File system
sysinfo-col-total = Size
sysinfo-col-free = Free
sysinfo-col-interface = Interface
sysinfo-col-addresses = Addresses
sysinfo-col-mac = Hardware address
sysinfo-col-resolution = Resolution
sysinfo-col-position = Position
sysinfo-col-device = Device
sysinfo-col-driver = Driver
sysinfo-col-charge = Charge
sysinfo-col-state = State
sysinfo-col-version = Version
sysinfo-col-pid = Process id
sysinfo-col-cpu = Processor use
sysinfo-col-memory = Memory
sysinfo-field-os = Operating system
sysinfo-field-os-version = Version
sysinfo-field-kernel = Kernel
sysinfo-field-hostname = Host name
sysinfo-field-uptime = Running for
sysinfo-field-architecture = Architecture
sysinfo-field-model = Model
sysinfo-field-cores = Cores
sysinfo-field-threads = Threads
sysinfo-field-frequency = Frequency
sysinfo-field-total = Total
sysinfo-field-available = Available
sysinfo-field-swap-total = Swap
sysinfo-field-swap-used = Swap in use

## One application
remote-app-tip = The customer chooses which window; you see only that window.
remote-app-share-first = Ask to view one application first
banner-viewing-app = Viewing one window of { $name }'s screen
banner-controlling-app = Controlling one window of { $name }'s screen, while they use it

## Coming back after a dropped connection
participant-away = connection lost, reconnecting…
participant-away-tip = Their seat is kept for a minute; they come back by themselves, without a new invite.

## File transfer
tool-file-transfer-tip = Share files with the customers, or browse one customer's computer and move files both ways
notice-file-share-failed = { $name } could not be shared: { $why }
files-heading = File transfer
files-explain = Choose files on this computer to share; every customer sees them and chooses whether to download.
files-app-sharing = Stop application sharing to transfer files.
files-home = Home
files-documents = Documents
files-desktop = Desktop
files-up = Up
files-unreadable = This folder cannot be read: { $why }
files-empty-folder = This folder is empty.
files-share = Share { $count } selected
files-choose-first = Tick the files to share first
files-shared = Shared with the customers
files-none = Nothing shared yet.
files-preparing = Preparing { $name }…
files-withdraw = Stop sharing
files-withdraw-tip = Customers can no longer download it; downloads under way stop.
files-progress = { $name }: { $done } of { $total } · { $speed }/s · { $left } s left
files-done = { $name } downloaded it
files-cancelled = { $name } cancelled
files-failed = { $name }: failed ({ $why })
files-not-yet = { $name } has not downloaded it

## Several CSRs
participant-transfer-control = Transfer control
participant-transfer-control-tip = { $name } runs the session from now on (asks the customer, invites, ends); you keep watching and can take part, but cannot end it unless control comes back
session-other-in-control = { $name } is in control of this session. You are watching; only { $name } can ask the customer, invite or end.

# Browse and move files (advanced file transfer)
files-browse-explain = Browse one customer's computer and move files both ways:
files-browse = Browse { $name }'s files…
browse-title = Files: this computer and { $name }'s
browse-not-allowed = { $name } has not allowed browsing their files. When they do, you will see their folders here and can move files both ways; they are asked again before each file or folder moves.
browse-ask = Ask to browse and move files
browse-end = End file transfer
browse-end-tip = Ends browsing and moving { $name }'s files and every move with them; asking again asks { $name } again
browse-waiting = Waiting for { $name } to answer…
browse-explain = Choose a file or folder on either side, then an arrow. { $name } allows or refuses each move on their computer. Double-click a folder to open it.
browse-this-computer = This computer
browse-their-computer = { $name }'s computer
browse-downloads = Downloads
browse-drives = Drives
browse-loading = Reading the folder…
browse-truncated = Only the first { $count } entries are shown.
browse-hint = A move goes into the folder shown on the other side.
browse-send = Send “{ $what }” to { $name } ➡
browse-send-nothing = Send to { $name } ➡
browse-choose-here = Choose a file or folder on this computer first
browse-copy = ⬅ Copy “{ $what }” here
browse-copy-nothing = ⬅ Copy here
browse-choose-there = Choose a file or folder on { $name }'s computer first
browse-conflict-title = That name is taken
browse-conflict-body = “{ $what }” is already in the folder { $place }.
browse-conflict-there = on { $name }'s computer
browse-conflict-here = on this computer
browse-replace = Replace
browse-replace-tip = The one there is replaced (for a folder: its files of the same names).
browse-keep-both = Keep both
browse-keep-both-tip = The new one gets a number: “name (1)”.
browse-skip = Skip
browse-moves = Moves
browse-no-moves = Nothing moved yet.
browse-to = to { $name }
browse-from = from { $name }
browse-preparing = preparing: { $done } of { $total }
browse-asking = waiting for { $name } to allow it
browse-moving = { $files ->
    [one] 1 file
   *[other] { $files } files
} · { $done } of { $total } · { $speed }/s · { $left } s left
browse-done = done: { $files ->
    [one] 1 file
   *[other] { $files } files
}
browse-done-some = { $files } files arrived, { $failed } did not ({ $why })
browse-refused-by = not moved: { $name } refused it
browse-refused = not moved: { $why }
browse-cancelled = cancelled
browse-stopped = stopped: { $name } stopped browsing and moving files
browse-cancel = Cancel

# A colleague's session, joined from this console
start-join-heading = Join a colleague's session
start-join-explain = Paste the support-representative invite a colleague sent you (a link or a code).
start-join-invite = Invite
start-join = Join
start-joining = Joining…
start-join-bad = That is not a Deskside invite: { $why }
start-join-customer = That invite is for a customer. Ask your colleague for a support-representative invite.
start-join-empty = paste the whole link or code your colleague sent.
start-join-garbled = check that the whole link or code was pasted, nothing more.
start-join-expired = That invite has expired. Ask your colleague for a new one.
start-join-unreachable = Your colleague's console cannot be reached. Check that their session is still running, then try again.
start-join-relay-refused = Your team's relay refused this invite's key: check the relay token in Settings, or ask your colleague for a new invite.
start-join-blocked = Your colleague's console did not answer, and your team's relay ({ $host }) could not be reached either. If this network has a firewall, it must allow TCP port { $tcp } (HTTPS) and UDP port { $udp } to { $host }, and outgoing UDP.
start-join-identity = The computer that answered is not your colleague's console (its identity does not match the invite). Nothing was sent to it.
start-join-used = That invite has already been used. Ask your colleague for a new one.
start-join-revoked = Your colleague withdrew that invite.
start-join-other-session = That invite is not for the session your colleague runs now.
start-join-ended = That session has ended.
start-join-version = Your console and your colleague's run different versions of Deskside: update both.
start-join-refused = Your colleague's console did not let you in.
start-join-failed = The connection failed ({ $why }).
joined-heading = In { $name }'s session
joined-you-in-control = You are in control: you can ask the customer, take control of their screen, hand control on and end the session.
joined-other-in-control = { $name } is in control. You see the session and chat; they may hand control to you.
joined-you = {" "}(you)
joined-leave = Leave session
joined-leave-tip = You leave; the session goes on for the others.
joined-nothing-shared = Nothing is shared yet. The screen shows here when the customer allows the CSR in control to see it.
joined-send-failed = The message could not be sent.
joined-ended-by = { $name } ended the session.
joined-ended = The session has ended.
joined-left = You left the session.
joined-lost = The connection to the session was lost.
joined-closed = The host closed the connection to the session.
host-busy = The session's host is busy; try again.
host-stopped = The session's host has stopped.
host-port-taken = port { $port } is in use by another program. Choose another listen port in Settings, or close that program.
host-cannot-listen = this computer cannot listen on port { $port } ({ $why }).
host-no-random = this computer gave no secure random numbers ({ $why }).
hand-over = Hand the session to { $name } and leave
hand-over-tip = { $name }'s console hosts the session from now on, with everyone in it, the chat, your notes and what the customers allowed; they follow without a new invite.
handed-over = Handed over to { $name }, who hosts the session now.
took-over = You host this session now: everyone comes back here by themselves, with what they allowed.
handing-over = Handing the session to { $name }: their console is getting ready…
tool-end-not-yours = Only { $name }, who is in control, can end the session.

## The support site
settings-site = Support site
settings-site-tip = Your team's Deskside site (https://…): you sign in there, and each customer invite gets a 9-digit code to read out over the phone. Leave empty to work without a site.
settings-site-hint = https://support.example.com
settings-problem-site = The support site must be an https:// address, like https://support.example.com.
site-heading = Support site
site-email = E-mail
site-email-hint = name@example.com
site-password = Password
site-sign-in = Sign in
site-signing-in = Signing in…
site-signed-in = Signed in to { $site } as { $name } ({ $organisation })
site-sign-out = Sign out
site-error-wrong-password = The e-mail address or password is not right.
site-error-disabled = Your account on the support site is disabled. Please ask your site administrator.
site-error-too-many = Too many attempts. Please try again in { $minutes } minutes.
site-error-unreachable = The support site ({ $site }) could not be reached. Check the address in Settings and your connection.
site-error-not-signed-in = Your sign-in to the support site has ended. Please sign in again.
site-error-other = The support site refused: { $why }
site-error-bad-answer = The support site gave an answer Deskside cannot use. Check the address in Settings.
site-error-no-types = The support site offers you no session type. Please ask your site administrator.
site-type-not-offered = The support site no longer offers the session type "{ $kind }". Please choose another.
site-error-certificate = The support site did not vouch for this session ({ $why }). Try again, or sign out to work without the site.
site-fixed-name = As customers will see you (set by your organisation)
tool-not-allowed = Not allowed for this session type by your organisation.
invite-short-code = Code to read out:
invite-short-code-tip = The customer types these 9 digits into Deskside. They work once, until the invite expires.
invite-short-code-getting = Getting a 9-digit code from the support site…
invite-short-code-failed = No 9-digit code: { $why } The link and the long code still work.
invite-copy-short = Copy 9-digit code
reports-waiting = { $count ->
    [one] One session report is waiting to be sent to { $site }.
   *[other] { $count } session reports are waiting to be sent to { $site }.
}
reports-waiting-tip = Your history keeps every session. Reports go to your team's site while you are signed in, and are sent again until the site confirms it has them.
reports-problem = The last try failed: { $why }
reports-history-problem = the session history could not be read ({ $why })
