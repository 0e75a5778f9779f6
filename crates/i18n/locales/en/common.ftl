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
rule-not-asked = What the customer's computer sent is not what was asked for.
rule-not-controlled = The customer has not allowed control of their mouse and keyboard.
