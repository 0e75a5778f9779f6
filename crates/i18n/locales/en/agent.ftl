# The agent (the customer's app), English. Written for someone anxious and not technical.

## Joining
agent-join-title = Join a support session
agent-join-explain = Paste the link or type the code your support representative gave you.
agent-invite-label = Invite code or link
agent-name-label = Your name
agent-name-hint = The name your support representative will see
agent-name-missing = Please type your name so your support representative knows who you are.
agent-join-words = Your support representative can confirm their identity with these words: { $words }
agent-preview-checking = Checking who sent this invite…
agent-preview-about-to = You are about to let in:
agent-join = Join
agent-retry = Try again
agent-connecting = Connecting to your support representative…
agent-join-stopped = The connection attempt stopped unexpectedly. Please try again.
agent-code-looking = Looking up your code with { $site }…
agent-code-no-site = This copy of Deskside does not know your support team's site, so it cannot look up a 9-digit code. Please ask your support representative for the invite link instead.
agent-code-unknown = This code does not work. It may have expired or been used already. Please ask your support representative for a new one.
agent-code-too-many = Too many codes were tried from this network. Please wait { $minutes } minutes, or ask your support representative for the invite link.
agent-code-unreachable = Deskside could not reach your support team's site ({ $site }). Please check your internet connection and try again.
agent-code-bad-answer = Your support team's site gave an answer Deskside cannot use. Please ask your support representative for the invite link instead.
invite-error-empty = Please enter the invite code your support representative gave you.
invite-error-too-long = This is too long to be an invite code. Please check what you pasted.
invite-error-character = The invite code contains "{ $character }", which is not part of any invite code. Please check it.
invite-error-checksum = This invite code is incomplete or has a typing mistake. Please check it or ask for a new one.
invite-error-invalid = This invite code is not valid. Please ask your support representative for a new one.
join-error-expired = This invite has expired. Ask your support representative for a new one.
join-error-unreachable = Your support representative's computer did not answer. Their session may have ended, or their network may not let anyone in: tell them, and try again when they say.
join-error-relay-refused = The support team's relay did not accept this invite, so Deskside could not connect. Ask your support representative for a new invite.
join-error-blocked = Deskside reached neither your support representative's computer nor the support team's relay ({ $host }). If this network has a firewall, ask your IT department to allow TCP port { $tcp } (HTTPS) and UDP port { $udp } to { $host }, and outgoing UDP. Or try another network (a phone's hotspot, for example).
join-error-identity = The computer that answered is not the one in the invite, so Deskside did not connect. Ask your support representative for a new invite.
join-error-protocol = The connection failed ({ $why }). Please try again.

## In a session
agent-connected = Connected to { $csr }
agent-identity = Identity words: { $words }
agent-identity-tip = Ask your support representative to read their words: they should match these.
agent-nothing-shared = Nothing is shared. You will be asked before anything is.
agent-bar-view = { $csr } can see your screen
agent-bar-control = { $csr } can control your mouse and keyboard
agent-bar-system-info = { $csr } may receive your system information
agent-stop-view = Stop sharing screen
agent-stop-control = Stop control
agent-stop-system-info = Stop
agent-leave = Leave session
agent-leave-explain = Leaving stops everything at once.
agent-chat = Chat
agent-chat-private = (only to you)
agent-chat-failed = The message could not be sent.
agent-refused = Your support representative's computer said: { $why }
agent-problem-capture = The screen could not be read, so sharing stopped ({ $why }).
agent-problem-inject = The mouse and keyboard could not be controlled ({ $why }).
agent-problem-encode = The picture of the screen could not be made ({ $why }).
agent-problem-inventory = Your system information could not be sent. You can send it again if you are asked.
agent-log-failed = What was shared could not be written down on this computer: { $why }

## Consent
agent-ask-view = { $csr } asks to see your screen
agent-ask-control = { $csr } asks to see your screen and use your mouse and keyboard
agent-ask-system-info = { $csr } asks for your computer's system information
agent-means-view = They will see everything on your screen until you press Stop. They cannot click or type.
agent-means-control = They will see your screen and be able to click and type on your computer until you press Stop.
agent-means-system-info = They will receive a description of this computer: system, hardware, network, installed programs and running programs. You will see exactly what would be sent, and choose, before anything is sent.
agent-ask-from = From { $organisation }
agent-allow = Allow
agent-deny = Deny
agent-ask-timeout = If you do not answer within two minutes, the request is denied.

## System information
agent-inventory-gathering = Collecting this computer's information…
agent-inventory-cancel = Cancel
agent-inventory-title = What would be sent to { $csr }
agent-inventory-explain = Untick anything you prefer not to send. Nothing is sent until you press Send.
agent-inventory-section = { $name } ({ $count ->
    [one] one entry
   *[other] { $count } entries
})
agent-inventory-show = Show
agent-inventory-more = …and { $count } more
agent-inventory-send = Send to { $csr }
agent-inventory-dont-send = Don't send
agent-inventory-sent = Your system information was sent.
agent-inventory-failed = The system information could not be collected or sent.
section-system = System
section-cpu = Processor
section-memory = Memory
section-disks = Disks
section-network = Network
section-displays = Displays
section-gpu = Graphics
section-battery = Battery
section-software = Installed software
section-processes = Running programs

## End
agent-ended-title = The session is over
agent-join-another = Join another session
close-ended-by = { $csr } ended the session. Nothing is shared any more.
close-lost = The connection to the support representative was lost. Nothing is shared any more.
refusal-version = This version of Deskside cannot join that session. Please ask your support representative which version to use.
refusal-invite-invalid = This invite is not valid for this session.
refusal-invite-expired = This invite has expired. Ask your support representative for a new one.
refusal-invite-used = This invite has already been used. Ask your support representative for a new one.
refusal-invite-revoked = This invite was withdrawn by the support representative.
refusal-malformed = The other side sent data Deskside does not understand; the connection was closed.
refusal-not-allowed = That action is not allowed in this session.
refusal-session-ended = The session has ended.
refusal-left = You left the session.

## What was shared
agent-shared-button = What was shared
agent-shared-tip = Everything you allowed, refused or stopped, with the time
agent-shared-title = What was shared
agent-shared-explain = Everything you allowed, refused or stopped, newest first. This list stays on this computer.
agent-shared-close = Close
agent-shared-none = Nothing has been shared from this computer yet.
agent-shared-unreadable = The list could not be read: { $why }
agent-shared-granted = You allowed { $who } to have { $what }
agent-shared-denied = You refused { $who } { $what }
agent-shared-timed-out = { $who } asked for { $what }; nobody answered, so it was refused
agent-shared-stopped = You stopped sharing { $what } with { $who }
agent-shared-ended = Sharing { $what } with { $who } stopped when the session ended
agent-shared-released = { $who } no longer needed { $what } and stopped it

## One application
agent-bar-view-app = { $csr } can see one window: { $window }
agent-bar-control-app = { $csr } can click and type in { $window } while you use it
agent-stop-view-app = Stop sharing window
agent-ask-view-app = { $csr } asks to see one window of your choice
agent-ask-control-app = { $csr } asks to click and type in { $window }
agent-means-view-app = Choose the window below. They will see only that window until you press Stop: nothing else on your screen, and not the parts of it other windows cover. They cannot click or type.
agent-means-control-app = They will be able to click and type in { $window } only, and only while it is the window you are using, until you press Stop.
agent-choose-window = Window to share
agent-choose-window-first = Choose a window first
agent-no-windows = No window can be shared right now. Open the program first, or press Deny.
agent-windows-failed = The windows on this computer cannot be listed: { $why }
agent-window-gone = The window you shared was closed or hidden, so sharing it stopped.

## Coming back after a dropped connection
refusal-seat-lost = The connection was lost for too long to come back to the session. Ask your support representative for a new invite.
agent-control-changed = { $name } is now in control of this session: they see and control what you allowed, and Stop still ends it.
agent-grant-ended = { $by } no longer needs { $what } and stopped it.
agent-reconnecting = The connection was lost. Reconnecting by itself… Nothing can be seen or controlled until it is back, and Stop still works.
agent-reconnected = Reconnected. You are back in the session.
agent-moving = The session is moving to another support representative's computer. Connecting you there by itself… Your choices stay as they are, and Stop still works.
agent-moved = You are now connected to { $name }'s computer: { $name } took over the session. What you allowed stays as it was.

## Files from the CSR
agent-files-title = Files from { $csr }
agent-files-folder = Save in
agent-files-download = Download
agent-files-starting = Starting…
agent-files-cancel = Cancel
agent-files-progress = { $done } of { $total } · { $speed }/s · { $left } s left
agent-files-saved = Saved as { $path }
agent-files-resume = Resume
agent-files-retry = Try again
agent-files-disk-full = There is not enough space on the disk. Nothing was left behind.
agent-files-read-only = That folder cannot be written to. Choose another one.
agent-files-no-folder = That folder does not exist. Choose another one.
agent-files-damaged = The file arrived damaged, so it was not kept. Try again.
agent-files-interrupted = The connection broke. What arrived is kept: Resume continues from there.
agent-files-source-gone = The file changed or was removed on the support representative's computer.
agent-files-bad-name = The file's name cannot be used on this computer, so it was not saved.
agent-files-app-sharing = Stop application sharing to transfer files.
agent-files-not-approved = What the representative sent is not what you allowed, so nothing of it was saved.
agent-move-failed = It could not be done: { $why }.
agent-files-other = The file could not be saved: { $why }

# Browse and move files (advanced file transfer)
agent-bar-files = { $csr } may browse your files and ask to move them
agent-stop-files = Stop
agent-ask-files = { $csr } asks to browse your files
agent-means-files = They will see the names and sizes of the files in your folders, and may ask to copy a file or folder from this computer or to put one on it. Nothing moves unless you allow that file or folder when you are asked.
agent-push-ask = { $csr } wants to put this on your computer
agent-push-into = Into: { $folder }
agent-push-replaces = It replaces what has the same name there.
agent-pull-ask = { $csr } wants a copy of this from your computer
agent-pull-from = From: { $path }
agent-move-folder-size = a folder: { $files } files, { $size }
agent-move-refuse = Refuse
agent-moves-title = Files moved with { $csr }
agent-move-incoming = to you
agent-move-outgoing = from you
agent-move-preparing = Preparing…
agent-move-progress = { $done } of { $total }
agent-move-received = Received: { $files ->
    [one] 1 file
   *[other] { $files } files
}
agent-move-received-some = Received { $files } files; { $failed } did not arrive ({ $why })
agent-move-sent = Sent: { $files ->
    [one] 1 file
   *[other] { $files } files
}
agent-move-refused = You refused it
agent-move-cancelled-by-csr = { $csr } stopped it
agent-move-stopped = Stopped
agent-files-folder-in-the-way = A folder of the same name is in the way, so the file was not saved.

## Who is behind the invite
agent-verified = Verified: { $name }, { $organisation } ({ $site })
agent-verified-tip = { $site } vouches for this person: their organisation signed who they are, and Deskside checked it.
agent-unverified = This person's organisation could not be verified. Only continue if you called them.
agent-unverified-no-site = This invite did not come through a support team's site, so nobody vouches for this person.
agent-unverified-no-certificate = This person is not signed in to their support team's site.
agent-unverified-expired = The proof of who this person is has expired, or your computer's clock is wrong.
agent-unverified-forged = The proof of who this person is does not hold: it may be forged.
agent-not-allowed = { $by } asked for { $what }, which { $organisation } does not allow in this session. Deskside refused it without asking you.
agent-chat-off = Chat is not used in this session.
