# El agente (la aplicación del cliente), español. Para alguien nervioso y no técnico.

## Entrar
agent-join-title = Entrar a una sesión de soporte
agent-join-explain = Pegue el enlace o escriba el código que le dio su representante de soporte.
agent-invite-label = Código o enlace de invitación
agent-name-label = Su nombre
agent-name-hint = El nombre que verá su representante de soporte
agent-name-missing = Escriba su nombre para que su representante de soporte sepa quién es.
agent-join-words = Su representante de soporte puede confirmar su identidad con estas palabras: { $words }
agent-preview-checking = Comprobando quién envió esta invitación…
agent-preview-about-to = Está a punto de dejar entrar a:
agent-join = Entrar
agent-retry = Intentar de nuevo
agent-connecting = Conectando con su representante de soporte…
agent-join-stopped = El intento de conexión se detuvo de forma inesperada. Inténtelo de nuevo.
agent-code-looking = Buscando su código en { $site }…
agent-code-no-site = Esta copia de Deskside no conoce el sitio de su equipo de soporte, así que no puede buscar un código de 9 cifras. Pida a su representante de soporte el enlace de invitación.
agent-code-unknown = Este código no funciona. Puede haber caducado o haberse usado ya. Pida a su representante de soporte uno nuevo.
agent-code-too-many = Se han probado demasiados códigos desde esta red. Espere { $minutes } minutos o pida a su representante de soporte el enlace de invitación.
agent-code-unreachable = Deskside no pudo conectar con el sitio de su equipo de soporte ({ $site }). Compruebe su conexión a internet y vuelva a intentarlo.
agent-code-bad-answer = El sitio de su equipo de soporte dio una respuesta que Deskside no puede usar. Pida a su representante de soporte el enlace de invitación.
invite-error-empty = Escriba el código de invitación que le dio su representante de soporte.
invite-error-too-long = Es demasiado largo para ser un código de invitación. Revise lo que pegó.
invite-error-character = El código de invitación contiene «{ $character }», que no forma parte de ningún código. Revíselo.
invite-error-checksum = Este código de invitación está incompleto o tiene un error de escritura. Revíselo o pida uno nuevo.
invite-error-invalid = Este código de invitación no es válido. Pida uno nuevo a su representante de soporte.
join-error-expired = Esta invitación ha caducado. Pida una nueva a su representante de soporte.
join-error-unreachable = El ordenador de su representante de soporte no respondió. Puede que su sesión haya terminado o que su red no deje entrar a nadie: dígaselo y vuelva a intentarlo cuando se lo indique.
join-error-relay-refused = El relé del equipo de soporte no aceptó esta invitación, así que Deskside no pudo conectar. Pida una invitación nueva a su representante de soporte.
join-error-blocked = Deskside no ha podido contactar ni con el ordenador de su representante de soporte ni con el relé del equipo de soporte ({ $host }). Si esta red tiene un cortafuegos, pida a su departamento de informática que permita el puerto TCP { $tcp } (HTTPS) y el puerto UDP { $udp } hacia { $host }, y el tráfico UDP saliente. O pruebe con otra red (el punto de acceso de un móvil, por ejemplo).
join-error-identity = El ordenador que respondió no es el de la invitación, así que Deskside no se conectó. Pida una nueva invitación a su representante de soporte.
join-error-protocol = La conexión falló ({ $why }). Inténtelo de nuevo.

## En una sesión
agent-connected = Conectado con { $csr }
agent-identity = Palabras de identidad: { $words }
agent-identity-tip = Pida a su representante de soporte que lea sus palabras: deben coincidir con estas.
agent-nothing-shared = No se comparte nada. Se le preguntará antes de compartir cualquier cosa.
agent-bar-view = { $csr } puede ver su pantalla
agent-bar-control = { $csr } puede controlar su ratón y su teclado
agent-bar-system-info = { $csr } puede recibir la información de su sistema
agent-stop-view = Dejar de compartir la pantalla
agent-stop-control = Quitar el control
agent-stop-system-info = Detener
agent-leave = Salir de la sesión
agent-leave-explain = Al salir se detiene todo de inmediato.
agent-chat = Chat
agent-chat-private = (solo para usted)
agent-chat-failed = No se pudo enviar el mensaje.
agent-refused = El ordenador de su representante de soporte dijo: { $why }
agent-problem-capture = No se pudo leer la pantalla, así que se dejó de compartir ({ $why }).
agent-problem-inject = No se pudieron controlar el ratón y el teclado ({ $why }).
agent-problem-encode = No se pudo generar la imagen de la pantalla ({ $why }).
agent-problem-inventory = No se pudo enviar la información de su sistema. Puede enviarla de nuevo si se la piden.
agent-log-failed = No se pudo anotar en este ordenador lo que se compartió: { $why }

## Consentimiento
agent-ask-view = { $csr } pide ver su pantalla
agent-ask-control = { $csr } pide ver su pantalla y usar su ratón y su teclado
agent-ask-system-info = { $csr } pide la información del sistema de su ordenador
agent-means-view = Verá todo lo que hay en su pantalla hasta que pulse Detener. No puede hacer clic ni escribir.
agent-means-control = Verá su pantalla y podrá hacer clic y escribir en su ordenador hasta que pulse Detener.
agent-means-system-info = Recibirá una descripción de este ordenador: sistema, hardware, red, programas instalados y programas en uso. Antes de enviar nada verá exactamente lo que se enviaría y podrá elegir.
agent-ask-from = De { $organisation }
agent-allow = Permitir
agent-deny = Rechazar
agent-ask-timeout = Si no responde en dos minutos, la petición se rechaza.

## Información del sistema
agent-inventory-gathering = Recopilando la información de este ordenador…
agent-inventory-cancel = Cancelar
agent-inventory-title = Lo que se enviaría a { $csr }
agent-inventory-explain = Desmarque lo que prefiera no enviar. No se envía nada hasta que pulse Enviar.
agent-inventory-section = { $name } ({ $count ->
    [one] un elemento
   *[other] { $count } elementos
})
agent-inventory-show = Mostrar
agent-inventory-more = …y { $count } más
agent-inventory-send = Enviar a { $csr }
agent-inventory-dont-send = No enviar
agent-inventory-sent = Se envió la información de su sistema.
agent-inventory-failed = No se pudo recopilar o enviar la información del sistema.
section-system = Sistema
section-cpu = Procesador
section-memory = Memoria
section-disks = Discos
section-network = Red
section-displays = Pantallas
section-gpu = Gráficos
section-battery = Batería
section-software = Programas instalados
section-processes = Programas en uso

## Fin
agent-ended-title = La sesión ha terminado
agent-join-another = Entrar a otra sesión
close-ended-by = { $csr } finalizó la sesión. Ya no se comparte nada.
close-lost = Se perdió la conexión con el representante de soporte. Ya no se comparte nada.
refusal-version = Esta versión de Deskside no puede entrar a esa sesión. Pregunte a su representante de soporte qué versión usar.
refusal-invite-invalid = Esta invitación no es válida para esta sesión.
refusal-invite-expired = Esta invitación ha caducado. Pida una nueva a su representante de soporte.
refusal-invite-used = Esta invitación ya se usó. Pida una nueva a su representante de soporte.
refusal-invite-revoked = El representante de soporte retiró esta invitación.
refusal-malformed = El otro lado envió datos que Deskside no entiende; se cerró la conexión.
refusal-not-allowed = Esa acción no está permitida en esta sesión.
refusal-session-ended = La sesión ha terminado.
refusal-left = Usted salió de la sesión.

## Lo que se compartió
agent-shared-button = Lo que se compartió
agent-shared-tip = Todo lo que permitió, rechazó o detuvo, con la hora
agent-shared-title = Lo que se compartió
agent-shared-explain = Todo lo que permitió, rechazó o detuvo, lo más reciente primero. Esta lista se queda en este ordenador.
agent-shared-close = Cerrar
agent-shared-none = Todavía no se ha compartido nada desde este ordenador.
agent-shared-unreadable = No se pudo leer la lista: { $why }
agent-shared-granted = Permitió a { $who } acceder a { $what }
agent-shared-denied = Rechazó que { $who } accediera a { $what }
agent-shared-timed-out = { $who } pidió acceder a { $what }; nadie respondió, así que se rechazó
agent-shared-stopped = Dejó de compartir { $what } con { $who }
agent-shared-ended = Se dejó de compartir { $what } con { $who } al terminar la sesión
agent-shared-released = { $who } ya no necesitaba { $what } y lo detuvo

## One application
agent-bar-view-app = { $csr } puede ver una ventana: { $window }
agent-bar-control-app = { $csr } puede hacer clic y escribir en { $window } mientras usted la usa
agent-stop-view-app = Dejar de compartir la ventana
agent-ask-view-app = { $csr } pide ver una ventana que usted elija
agent-ask-control-app = { $csr } pide hacer clic y escribir en { $window }
agent-means-view-app = Elija la ventana abajo. Verá solo esa ventana hasta que pulse Detener: nada más de su pantalla, ni las partes que tapen otras ventanas. No puede hacer clic ni escribir.
agent-means-control-app = Podrá hacer clic y escribir solo en { $window }, y solo mientras sea la ventana que usted está usando, hasta que pulse Detener.
agent-choose-window = Ventana que se compartirá
agent-choose-window-first = Primero elija una ventana
agent-no-windows = Ahora no se puede compartir ninguna ventana. Abra antes el programa o pulse Rechazar.
agent-windows-failed = No se pueden listar las ventanas de este ordenador: { $why }
agent-window-gone = La ventana que compartía se cerró o se ocultó, así que se dejó de compartir.

## Coming back after a dropped connection
refusal-seat-lost = La conexión estuvo perdida demasiado tiempo para volver a la sesión. Pida a su representante de soporte una nueva invitación.
agent-control-changed = { $name } controla ahora esta sesión: ve y controla lo que usted permitió, y Detener sigue terminándolo.
agent-grant-ended = { $by } ya no necesita { $what } y lo detuvo.
agent-reconnecting = Se perdió la conexión. Reconectando automáticamente… Mientras tanto no se puede ver ni controlar nada, y Detener sigue funcionando.
agent-reconnected = Conexión recuperada. Ha vuelto a la sesión.
agent-moving = La sesión pasa al equipo de otro representante de soporte. Conectando automáticamente… Sus decisiones siguen igual y Detener sigue funcionando.
agent-moved = Ahora está conectado al equipo de { $name }: { $name } se hizo cargo de la sesión. Lo que permitió sigue igual.

## Files from the CSR
agent-files-title = Archivos de { $csr }
agent-files-folder = Guardar en
agent-files-download = Descargar
agent-files-starting = Empezando…
agent-files-cancel = Cancelar
agent-files-progress = { $done } de { $total } · { $speed }/s · quedan { $left } s
agent-files-saved = Guardado como { $path }
agent-files-resume = Reanudar
agent-files-retry = Reintentar
agent-files-disk-full = No hay espacio suficiente en el disco. No quedó nada a medias.
agent-files-read-only = No se puede escribir en esa carpeta. Elija otra.
agent-files-no-folder = Esa carpeta no existe. Elija otra.
agent-files-damaged = El archivo llegó dañado, así que no se guardó. Inténtelo de nuevo.
agent-files-interrupted = Se cortó la conexión. Lo recibido se conserva: Reanudar continúa desde ahí.
agent-files-source-gone = El archivo cambió o se eliminó en el ordenador del representante de soporte.
agent-files-bad-name = El nombre del archivo no se puede usar en este ordenador, así que no se guardó.
agent-files-app-sharing = Deje de compartir la aplicación para transferir archivos.
agent-files-not-approved = Lo que envió el representante no es lo que usted permitió, así que no se guardó nada.
agent-move-failed = No se pudo hacer: { $why }.
agent-files-other = No se pudo guardar el archivo: { $why }

# Explorar y mover archivos (transferencia de archivos avanzada)
agent-bar-files = { $csr } puede explorar sus archivos y pedir moverlos
agent-stop-files = Detener
agent-ask-files = { $csr } pide explorar sus archivos
agent-means-files = Verá los nombres y tamaños de los archivos de sus carpetas, y podrá pedir copiar un archivo o carpeta de este ordenador o poner uno en él. Nada se mueve si usted no permite ese archivo o carpeta cuando se le pregunte.
agent-push-ask = { $csr } quiere poner esto en su ordenador
agent-push-into = En: { $folder }
agent-push-replaces = Reemplaza lo que tenga el mismo nombre allí.
agent-pull-ask = { $csr } quiere una copia de esto de su ordenador
agent-pull-from = Desde: { $path }
agent-move-folder-size = una carpeta: { $files } archivos, { $size }
agent-move-refuse = Rechazar
agent-moves-title = Archivos movidos con { $csr }
agent-move-incoming = para usted
agent-move-outgoing = de usted
agent-move-preparing = Preparando…
agent-move-progress = { $done } de { $total }
agent-move-received = Recibido: { $files ->
    [one] 1 archivo
   *[other] { $files } archivos
}
agent-move-received-some = Recibidos { $files } archivos; { $failed } no llegaron ({ $why })
agent-move-sent = Enviado: { $files ->
    [one] 1 archivo
   *[other] { $files } archivos
}
agent-move-refused = Usted lo rechazó
agent-move-cancelled-by-csr = { $csr } lo detuvo
agent-move-stopped = Detenido
agent-files-folder-in-the-way = Una carpeta con el mismo nombre lo impide, así que el archivo no se guardó.

## Quién está detrás de la invitación
agent-verified = Verificado: { $name }, { $organisation } ({ $site })
agent-verified-tip = { $site } responde por esta persona: su organización firmó quién es, y Deskside lo comprobó.
agent-unverified = No se pudo verificar la organización de esta persona. Continúe solo si usted la llamó.
agent-unverified-no-site = Esta invitación no llegó a través del sitio de un equipo de soporte, así que nadie responde por esta persona.
agent-unverified-no-certificate = Esta persona no ha accedido al sitio de su equipo de soporte.
agent-unverified-expired = La prueba de quién es esta persona ha caducado, o el reloj de su equipo no está en hora.
agent-unverified-forged = La prueba de quién es esta persona no es válida: puede estar falsificada.
agent-not-allowed = { $by } pidió { $what }, que { $organisation } no permite en esta sesión. Deskside lo rechazó sin preguntarle.
agent-chat-off = En esta sesión no se usa el chat.
