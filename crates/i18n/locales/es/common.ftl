# Palabras que muestran las dos aplicaciones: las reglas de la sesión que una acción puede incumplir.
rule-ended = La sesión ha terminado.
rule-not-in-control = Solo el representante de soporte que tiene el control puede hacer eso.
rule-no-such-participant = Esa persona no está en la sesión.
rule-not-primary-customer = Eso solo se le puede pedir al cliente principal.
rule-bad-text = El mensaje está vacío o es demasiado largo.
rule-no-such-monitor = El cliente no tiene esa pantalla.
rule-not-secondary-customer = Solo otro cliente puede pasar a ser el cliente principal.
rule-no-such-file = Ese archivo no se ofrece en esta sesión.
rule-app-sharing = Deje de compartir una aplicación para transferir archivos.
rule-too-many-files = Ya se ofrecen demasiados archivos.
rule-not-a-csr = El control solo se puede dar a otro representante de soporte de la sesión.
rule-files-not-allowed = El cliente no ha permitido explorar ni mover sus archivos.
rule-no-random = Este ordenador no dio números aleatorios seguros; inténtelo de nuevo.
rule-too-fast = Demasiados mensajes a la vez; espere un momento.
rule-not-asked = Lo que envió el ordenador del cliente no es lo que se pidió.
rule-not-controlled = El cliente no ha permitido el control de su ratón y su teclado.
