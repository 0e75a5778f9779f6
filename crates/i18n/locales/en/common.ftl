# Words both apps show: the session rules an action can break.
rule-ended = The session has ended.
rule-not-in-control = Only the support representative in control can do that.
rule-no-such-participant = That person is not in the session.
rule-not-primary-customer = Only the primary customer can be asked for that.
rule-bad-text = The message is empty or too long.
rule-no-such-monitor = The customer has no such screen.
rule-not-secondary-customer = Only another customer can be made the primary customer.
rule-no-such-file = That file is not offered in this session.
rule-app-sharing = Stop sharing one application to transfer files.
rule-too-many-files = Too many files are offered already.
rule-not-a-csr = Control can only be given to another support representative in the session.
rule-files-not-allowed = The customer has not allowed browsing and moving their files.
rule-no-random = This computer gave no secure random numbers; try again.
rule-too-fast = Too many messages at once; wait a moment.
rule-too-many-invites = As many invites are open as a session keeps: revoke one, or wait until one is used or expires.
rule-host-only = Only the console hosting the session can do that: ask the colleague who hosts it.
rule-not-allowed-by-organisation = Not allowed for this session type by your organisation.
rule-not-asked = What the customer's computer sent is not what was asked for.
rule-not-controlled = The customer has not allowed control of their mouse and keyboard.

# Why a file, a folder listing or a move did not go ahead (FileProblem): a phrase, shown
# after a colon or in brackets.
problem-refused = the customer refused it
problem-stopped = the customer stopped browsing and moving files
problem-not-allowed = the customer has not allowed browsing and moving files
problem-busy = the customer has too many requests waiting
problem-app-sharing = stop application sharing to transfer files
problem-no-folder = the folder does not exist
problem-folder-unusable = that folder cannot be used
problem-not-sendable = that file cannot be sent
problem-path-too-long = the path is too long
problem-not-found = the file or folder is not there
problem-no-permission = there is no permission to read it
problem-read-only = the folder cannot be written to
problem-disk-full = not enough disk space
problem-damaged = the file arrived damaged (its hash did not match)
problem-interrupted = the connection broke
problem-source-gone = the file changed or was removed where it came from
problem-bad-name = its name cannot be used on that computer
problem-folder-in-the-way = a folder of that name is in the way
problem-not-approved = what was sent is not what was allowed, so nothing was written
problem-too-many = it holds more than { $files } files
problem-too-deep = its folders nest more than { $depth } deep
problem-not-a-file = only files and folders can be moved
problem-other = something went wrong on that computer

# Roles in a session.
role-csr-in-control = CSR in control
role-csr = CSR
role-primary-customer = primary customer
role-secondary-customer = secondary customer

# What a capability lets the CSR do, said of the customer.
capability-view = view their screen
capability-control = control their mouse and keyboard
capability-system-info = receive their system information
capability-view-app = see one window they choose
capability-control-app = click and type in the window they share
capability-files = browse their files and move files both ways (each move asked)

# What a capability gives, said to the customer.
yours-view = your screen
yours-control = your mouse and keyboard
yours-system-info = your system information
yours-view-app = one window of your screen
yours-control-app = your mouse and keyboard in one window
yours-files = browsing and moving your files

# The chat, as both apps show it.
chat-heading = Chat
chat-send-to = Send to
chat-everyone = Everyone
chat-csrs = All support representatives
chat-empty = No messages yet.
chat-private-to = to { $name }
chat-message = Message
chat-hint = Type a message
chat-send = Send
