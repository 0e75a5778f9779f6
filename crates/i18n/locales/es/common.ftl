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
rule-too-many-invites = Hay tantas invitaciones abiertas como admite una sesión: revoque una o espere a que se use o caduque.
rule-host-only = Solo la consola que aloja la sesión puede hacerlo: pídaselo al compañero que la aloja.
rule-not-allowed-by-organisation = Su organización no lo permite para este tipo de sesión.
rule-not-asked = Lo que envió el ordenador del cliente no es lo que se pidió.
rule-not-controlled = El cliente no ha permitido el control de su ratón y su teclado.

# Why a file, a folder listing or a move did not go ahead (FileProblem): a phrase, shown
# after a colon or in brackets.
problem-refused = el cliente lo rechazó
problem-stopped = el cliente dejó de permitir explorar y mover archivos
problem-not-allowed = el cliente no ha permitido explorar y mover archivos
problem-busy = el cliente tiene demasiadas solicitudes pendientes
problem-app-sharing = deje de compartir la aplicación para transferir archivos
problem-no-folder = la carpeta no existe
problem-folder-unusable = esa carpeta no se puede usar
problem-not-sendable = ese archivo no se puede enviar
problem-path-too-long = la ruta es demasiado larga
problem-not-found = el archivo o la carpeta no está
problem-no-permission = no hay permiso para leerlo
problem-read-only = no se puede escribir en la carpeta
problem-disk-full = no hay espacio suficiente en el disco
problem-damaged = el archivo llegó dañado (su hash no coincidía)
problem-interrupted = se cortó la conexión
problem-source-gone = el archivo cambió o se eliminó en su origen
problem-bad-name = su nombre no se puede usar en ese ordenador
problem-folder-in-the-way = una carpeta con ese nombre lo impide
problem-not-approved = lo enviado no es lo que se permitió, así que no se escribió nada
problem-too-many = contiene más de { $files } archivos
problem-too-deep = sus carpetas tienen más de { $depth } niveles
problem-not-a-file = solo se pueden mover archivos y carpetas
problem-other = algo falló en ese ordenador

# Roles in a session.
role-csr-in-control = CSR con el control
role-csr = CSR
role-primary-customer = cliente principal
role-secondary-customer = cliente secundario

# What a capability lets the CSR do, said of the customer.
capability-view = ver su pantalla
capability-control = controlar su ratón y su teclado
capability-system-info = recibir la información de su sistema
capability-view-app = ver una ventana que elija
capability-control-app = hacer clic y escribir en la ventana que comparte
capability-files = explorar sus archivos y mover archivos en ambos sentidos (cada envío se pregunta)

# What a capability gives, said to the customer.
yours-view = su pantalla
yours-control = su ratón y su teclado
yours-system-info = la información de su sistema
yours-view-app = una ventana de su pantalla
yours-control-app = su ratón y su teclado en una ventana
yours-files = explorar y mover sus archivos

# The chat, as both apps show it.
chat-heading = Chat
chat-send-to = Enviar a
chat-everyone = Todos
chat-csrs = Todos los representantes
chat-empty = Aún no hay mensajes.
chat-private-to = para { $name }
chat-message = Mensaje
chat-hint = Escriba un mensaje
chat-send = Enviar
