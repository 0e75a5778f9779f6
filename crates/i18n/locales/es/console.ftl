# La consola (la aplicación del representante), español.

## Pantalla de inicio
start-title = Iniciar una sesión de soporte
start-name = Su nombre
start-name-hint = Lo ve el cliente
start-organisation = Organización
start-session-type = Tipo de sesión
start-tracking-code = Código de seguimiento
start-tracking-code-required = Código de seguimiento (obligatorio)
start-tracking-hint = Opcional, p. ej. un número de incidencia
start-tracking-hint-required = Necesario para este tipo de sesión
start-button = Iniciar sesión
start-starting = Iniciando la sesión…
start-name-missing = Escriba su nombre: el cliente lo ve antes de permitir nada.
start-tracking-required = Una sesión de tipo «{ $kind }» necesita un código de seguimiento.
start-label-too-long = La organización, el tipo de sesión y el código de seguimiento pueden tener como máximo { $max } bytes cada uno (menos letras si llevan tilde), sin caracteres de control.
start-failed = No se puede iniciar la sesión: { $why }
taking-over = Tomando el control de la sesión…
start-history-problem = Las sesiones no se están guardando. { $why }
start-settings-problem = No se pudo leer su configuración, así que se usan los valores predeterminados ({ $why }). Al guardar la configuración, el archivo anterior se conserva junto al nuevo.
history-button = Historial
history-button-tip = Las sesiones guardadas: buscar, abrir, exportar
settings-button = Configuración
settings-button-tip = Su nombre, organización, tipos de sesión, idioma, tema y puerto

## Pantalla de sesión: barra de herramientas
tool-invite = Invitar
tool-participants = Participantes
tool-chat = Chat
tool-chat-unread = Chat ({ $count })
tool-chat-unread-name = Chat, { $count ->
    [one] un mensaje sin leer
   *[other] { $count } mensajes sin leer
}
tool-audio = Audio
tool-video = Vídeo
tool-remote-control = Control remoto
tool-file-transfer = Transferencia de archivos
tool-system-info = Información del sistema
tool-notes = Notas
tool-record = Grabar
tool-end = Finalizar sesión…
tool-tip = { $what } ({ $keys })
tool-invite-tip = Invitar a un cliente o a otro representante de soporte
tool-participants-tip = Quién está, qué ha permitido cada cliente y cómo va cada conexión
tool-chat-tip = Chatear con todos, con los representantes o con una persona
tool-remote-control-tip = Pedir ver o controlar la pantalla del cliente
tool-notes-tip = Sus notas, guardadas con la sesión
tool-end-tip = Finalizar la sesión para todos, con notas de fin de sesión
tool-system-info-tip = Pedir a un cliente una descripción de su ordenador, y leerla
tool-unavailable = Aún no disponible en esta versión de Deskside.
session-started = · iniciada a las { $time }

## Panel Invitar
invite-heading = Invitar
invite-role-customer = Cliente
invite-role-csr = Representante de soporte
invite-explain-customer = Envíe este enlace al cliente o díctele el código. Sirve una sola vez.
invite-explain-csr = Envíe este enlace a otro representante de soporte; entrará desde su propia consola. Sirve una sola vez.
invite-copy-link = Copiar enlace
invite-copy-code = Copiar código
invite-email = Correo…
invite-email-tip = Abre su programa de correo con la invitación redactada
invite-expires = Caduca a las { $time }
invite-none = No hay ninguna invitación abierta de este tipo. Cree una con Nueva invitación.
invite-new = Nueva invitación
invite-new-tip = Crear otra invitación de un solo uso del tipo elegido arriba
invite-identity = Sus palabras de identidad: { $words }
invite-identity-tip = El cliente también ve estas palabras; léalas en voz alta si le pregunta quién es.
invite-open = Invitaciones abiertas
invite-open-none = Ninguna: todas se usaron, se revocaron o caducaron.
invite-until = hasta las { $time }
invite-revoke = Revocar
invite-revoke-tip = Ya nadie podrá entrar con esta invitación
email-subject = Su sesión de soporte con { $organisation }
email-body = Hola:

    { $csr }, de { $organisation }, le invita a una sesión de soporte.

    1. Instale el agente de Deskside si aún no lo tiene.
    2. Abra este enlace: { $link }
       o escriba este código en el agente: { $code }

    La invitación sirve una sola vez y caduca a las { $time }.
    Antes de entrar, el agente muestra estas palabras: { $words }. Si son otras, no entre.

    No se comparte nada de su ordenador hasta que usted lo permita, y puede detenerlo en cualquier momento.

## Panel Participantes
participants-heading = Participantes
participant-make-primary = Hacer principal
participant-make-primary-tip = Compartir y controlar la pantalla de { $name } en su lugar; se detiene lo que comparte el cliente principal actual
participant-left = { $role }, se fue
grant-view = ver la pantalla
grant-control = controlar ratón y teclado
grant-files = explorar y mover archivos en su ordenador
grant-system-info = información del sistema
grant-recording = grabación
grant-allowed = Permitido: { $what }
grant-not-allowed = No permitido: { $what }
grant-not-available = Aún no disponible: { $what }
quality-line = { $path } · { $rtt } ms · { $loss } % perdido
quality-direct = directa
quality-relayed = por el relé
quality-relayed-tip = Conexión { $quality }, a través del relé del equipo (los routers entre ustedes aún no dejan pasar una conexión directa): tiempo de ida y vuelta y paquetes perdidos
quality-good = buena
quality-fair = regular
quality-poor = mala
quality-tip = Conexión { $quality }: tiempo de ida y vuelta y paquetes perdidos

## Funciones
the-customer = El cliente

## Panel Chat

## Panel Control remoto y visor
remote-heading = Control remoto
remote-explain = Cada opción se pregunta antes al cliente; puede detenerla en cualquier momento.
remote-view-desktop = Ver escritorio
remote-control-desktop = Controlar escritorio
remote-stop-view = Dejar de ver
remote-stop-view-tip = Deja de ver la pantalla de { $name } (y de controlarla); se le avisa de que usted lo detuvo
remote-stop-control = Dejar el control
remote-stop-control-tip = Sigue viendo la pantalla de { $name } pero ya no usa su ratón ni su teclado; se le avisa de que usted lo detuvo
remote-view-app = Ver una aplicación…
remote-control-app = Controlar una aplicación…
remote-no-customer = Aún no ha entrado ningún cliente
remote-waiting = Esperando la respuesta del cliente
remote-already = Ya está permitido
viewer-monitor = Pantalla
viewer-all-monitors = Todos los monitores
viewer-fit = Ajustar a la ventana
viewer-actual-size = Tamaño real
viewer-full-screen = Pantalla completa
viewer-full-screen-tip = Mostrar solo la pantalla del cliente ({ $keys } para volver)
viewer-exit-full-screen = Salir de pantalla completa ({ $keys })
viewer-send-keys = Enviar teclas
viewer-capture-keyboard = Enviar mi teclado
viewer-capture-keyboard-tip = Si está marcado, lo que teclee sobre la pantalla del cliente va a su ordenador
viewer-name = Pantalla de { $name }

## Aviso de estado y notificaciones
banner-waiting-customer = Esperando a que un cliente entre con la invitación
banner-joined = { $name } ha entrado. Use Control remoto para pedir ver su pantalla.
banner-waiting-answer = Esperando a que { $name } responda a su petición
banner-viewing = Viendo la pantalla de { $name }
banner-controlling = Controlando la pantalla de { $name }: haga clic en ella para escribir
banner-controlling-mouse = Controlando el ratón de { $name } (su teclado se queda aquí)
banner-paused = En pausa: { $name } dejó de compartir. Vuelva a pedirlo desde Control remoto.
notice-allowed = { $name } le permitió { $what }.
notice-refused = { $name } no le permitió { $what }.
notice-you-stopped-view = Dejó de ver la pantalla de { $name }. Vuelva a pedirlo desde Control remoto para verla.
notice-you-stopped-control = Dejó de controlar la pantalla de { $name }; sigue viéndola.
notice-input-refused = El ordenador del cliente rechazó su entrada: el control no está permitido.
notice-relay-refused = El relé de su equipo rechazó el token de esta consola: los clientes solo pueden llegarle por conexiones directas. Revise el token del relé en Ajustes.
notice-link-direct = La conexión de { $name } ahora es directa: ya no pasa por el relé del equipo.
notice-link-relayed = La conexión de { $name } ahora pasa por el relé del equipo (se perdió la conexión directa).
viewer-slow-line = Conexión lenta: la imagen se reduce
viewer-slow-line-tip = La conexión de { $name } lleva ahora menos de lo que la pantalla necesita: menos imágenes por segundo y las partes en movimiento menos nítidas. El texto sigue exacto, y lo que usted teclea y pulsa sigue pasando primero.
notice-invite-file = No se puede escribir la invitación en { $path }: { $why }
notice-invite-failed = No se puede crear una invitación: { $why }
notice-system-info = { $name } envió la información de su sistema.
notice-email-failed = No se puede abrir su programa de correo: { $why }

## Panel Notas
notes-heading = Notas
notes-explain = Se guardan con la sesión. El cliente no las ve.
notes-label = Notas de la sesión
notes-hint = Qué encontró, qué probó
notes-save = Guardar
notes-autosave = Se guardan mientras escribe

## Diálogo de fin y resumen
end-title = Finalizar la sesión
end-explain = Todos se desconectarán y se dejará de compartir.
end-notes = Notas de fin de sesión
end-notes-hint = ¿Cuál era el problema, qué hizo, qué queda pendiente?
end-confirm = Finalizar sesión
end-cancel = Cancelar
summary-title = Sesión finalizada
summary-type = Tipo de sesión
summary-tracking-code = Código de seguimiento
summary-time = Hora
summary-participants = Participantes
summary-chat = Mensajes de chat
summary-notes = Notas
summary-kept = Guardada en el historial de sesiones.
summary-not-kept = No se guardó en el historial de sesiones. { $why }
summary-again = Iniciar otra sesión
duration-under-a-minute = menos de un minuto
duration-minutes = { $minutes } min

## Historial
history-title = Historial de sesiones
history-close = Cerrar
history-query = Código de seguimiento o cliente
history-from = Desde
history-until = Hasta
history-search = Buscar
history-bad-date = Escriba las fechas como año-mes-día, por ejemplo 2026-11-26.
history-no-match = Ninguna sesión coincide.
history-saved = Guardado en { $path }
history-save-failed = No se pudo guardar { $path }: { $why }
history-col-started = Inicio
history-col-tracking-code = Código de seguimiento
history-col-type = Tipo
history-col-customers = Clientes
history-col-outcome = Resultado
history-open = Abrir
history-back = Todas las sesiones
history-export-html = Exportar HTML
history-export-json = Exportar JSON
history-csr = Representante de soporte
history-started = Inicio
history-ended = Fin
history-outcome = Resultado
history-participants = Participantes
history-participant = { $name } ({ $role }): entró { $joined }
history-participant-left = { $name } ({ $role }): entró { $joined }, salió { $left }
history-consent = Consentimiento
history-consent-none = No se pidió nada.
history-consent-allowed = { $when } { $who } permitió: { $what }
history-consent-stopped = { $when } { $who } rechazó o detuvo: { $what }
history-chat = Chat
history-chat-none = No hay mensajes.
history-chat-to = para { $to }
history-files = Archivos
history-file = { $when } { $name } ({ $size } bytes, { $direction }, { $who }): { $outcome }
history-system-info = Información del sistema
history-system-info-from = De { $name }, { $when }
history-system-info-open = Abrir
history-notes = Notas
history-end-notes = Notas de fin de sesión
outcome-running = en curso
outcome-ended = finalizada
outcome-ended-unexpectedly = terminó inesperadamente

## Configuración
settings-title = Configuración
settings-name = Su nombre
settings-organisation = Organización
settings-language = Idioma
settings-language-system = El del sistema ({ $name })
settings-theme = Tema
settings-theme-system = El del sistema
settings-theme-light = Claro
settings-theme-dark = Oscuro
settings-port = Puerto de escucha
settings-port-tip = El puerto UDP al que se conectan los clientes; 0 elige uno libre en cada sesión
settings-relays = Relés del equipo
settings-relays-tip = Los servidores de relé de su equipo (https://…), uno por línea: los clientes detrás de routers que no dejan pasar una conexión directa le llegan a través de ellos. Déjelo vacío para usar solo conexiones directas.
settings-relay-token = Token del relé
settings-relay-token-tip = El token que admiten los relés de su equipo (lo tiene su administrador). Va en sus invitaciones para que los agentes de los clientes puedan usar el relé.
settings-session-types = Tipos de sesión
settings-session-types-explain = Los tipos de sesión que se ofrecen al iniciar una.
settings-type-name = Tipo de sesión { $number }
settings-type-required = Código de seguimiento obligatorio
settings-type-remove = Quitar
settings-type-add = Añadir tipo de sesión
settings-save = Guardar
settings-cancel = Cancelar
settings-save-failed = No se guardó la configuración: { $why }
settings-problem-name = Escriba su nombre: no vacío, no demasiado largo, sin caracteres invisibles.
settings-problem-organisation = El nombre de la organización es demasiado largo o tiene caracteres invisibles.
settings-problem-no-types = Conserve al menos un tipo de sesión.
settings-problem-type-name = Cada tipo de sesión necesita un nombre de hasta 64 caracteres.
settings-problem-duplicate-type = Hay dos tipos de sesión con el mismo nombre.
settings-problem-too-many-types = Conserve como máximo { $max } tipos de sesión.
settings-problem-port = El puerto debe ser un número entre 0 y 65535.
settings-problem-relay = Cada relé debe ser una dirección que empiece por https:// (como mucho { $max }).
settings-problem-relay-token = El token del relé debe tener de 16 a 128 letras, cifras, '-', '_' o '.', y los relés necesitan uno.

## Información del sistema
sysinfo-heading = Información del sistema
sysinfo-explain = Pida a un cliente una descripción de su ordenador. Verá lo que se enviaría y elegirá antes de enviar nada.
sysinfo-request = Pedir a { $name }
sysinfo-received-heading = Recibida
sysinfo-none = Aún no se ha recibido nada.
sysinfo-open = Abrir
sysinfo-title = Información del sistema: { $name }
sysinfo-received = Recibida { $time }
sysinfo-search = Buscar
sysinfo-search-hint = Programa, disco, dirección…
sysinfo-save-json = Guardar JSON
sysinfo-save-html = Guardar HTML
sysinfo-print = Imprimir…
sysinfo-print-tip = Abre el informe en su navegador, listo para imprimir
sysinfo-print-failed = No se pudo abrir el informe para imprimirlo: { $why }
sysinfo-section = { $name } ({ $count })
sysinfo-section-found = { $name } ({ $found } de { $count })
sysinfo-col-name = Nombre
sysinfo-col-mount = Montado en
sysinfo-col-file-system = Sistema de archivos
sysinfo-col-total = Tamaño
sysinfo-col-free = Libre
sysinfo-col-interface = Interfaz
sysinfo-col-addresses = Direcciones
sysinfo-col-mac = Dirección física
sysinfo-col-resolution = Resolución
sysinfo-col-position = Posición
sysinfo-col-device = Dispositivo
sysinfo-col-driver = Controlador
sysinfo-col-charge = Carga
sysinfo-col-state = Estado
sysinfo-col-version = Versión
sysinfo-col-pid = Id. de proceso
sysinfo-col-cpu = Uso del procesador
sysinfo-col-memory = Memoria
sysinfo-field-os = Sistema operativo
sysinfo-field-os-version = Versión
sysinfo-field-kernel = Núcleo
sysinfo-field-hostname = Nombre del equipo
sysinfo-field-uptime = En marcha desde hace
sysinfo-field-architecture = Arquitectura
sysinfo-field-model = Modelo
sysinfo-field-cores = Núcleos
sysinfo-field-threads = Hilos
sysinfo-field-frequency = Frecuencia
sysinfo-field-total = Total
sysinfo-field-available = Disponible
sysinfo-field-swap-total = Intercambio
sysinfo-field-swap-used = Intercambio en uso

## One application
remote-app-tip = El cliente elige la ventana; usted solo ve esa ventana.
remote-app-share-first = Pida antes ver una aplicación
banner-viewing-app = Viendo una ventana de la pantalla de { $name }
banner-controlling-app = Controlando una ventana de la pantalla de { $name }, mientras la usa

## Coming back after a dropped connection
participant-away = conexión perdida, reconectando…
participant-away-tip = Su puesto se guarda un minuto; vuelve por sí solo, sin una nueva invitación.

## File transfer
tool-file-transfer-tip = Compartir archivos con los clientes, o explorar el ordenador de un cliente y mover archivos en ambos sentidos
notice-file-share-failed = No se pudo compartir { $name }: { $why }
files-heading = Transferencia de archivos
files-explain = Elija archivos de este ordenador para compartir; cada cliente los ve y decide si los descarga.
files-app-sharing = Deje de compartir la aplicación para transferir archivos.
files-home = Inicio
files-documents = Documentos
files-desktop = Escritorio
files-up = Subir
files-unreadable = No se puede leer esta carpeta: { $why }
files-empty-folder = Esta carpeta está vacía.
files-share = Compartir { $count } seleccionados
files-choose-first = Marque antes los archivos que quiere compartir
files-shared = Compartidos con los clientes
files-none = Aún no se comparte nada.
files-preparing = Preparando { $name }…
files-withdraw = Dejar de compartir
files-withdraw-tip = Los clientes ya no podrán descargarlo; las descargas en curso se detienen.
files-progress = { $name }: { $done } de { $total } · { $speed }/s · quedan { $left } s
files-done = { $name } lo descargó
files-cancelled = { $name } canceló
files-failed = { $name }: falló ({ $why })
files-not-yet = { $name } no lo ha descargado

## Several CSRs
participant-transfer-control = Transferir el control
participant-transfer-control-tip = { $name } dirige la sesión desde ahora (pide al cliente, invita, finaliza); usted sigue viéndola y participando, pero no puede finalizarla si no le devuelven el control
session-other-in-control = { $name } tiene el control de esta sesión. Usted observa; solo { $name } puede pedir al cliente, invitar o finalizar.

# Explorar y mover archivos (transferencia de archivos avanzada)
files-browse-explain = Explore el ordenador de un cliente y mueva archivos en ambos sentidos:
files-browse = Explorar los archivos de { $name }…
browse-title = Archivos: este ordenador y el de { $name }
browse-not-allowed = { $name } no ha permitido explorar sus archivos. Cuando lo permita, verá aquí sus carpetas y podrá mover archivos en ambos sentidos; se le preguntará de nuevo antes de mover cada archivo o carpeta.
browse-ask = Pedir explorar y mover archivos
browse-end = Terminar la transferencia de archivos
browse-end-tip = Termina la exploración y el movimiento de archivos de { $name } y todos los movimientos con su equipo; volver a pedirlo se lo pregunta de nuevo
browse-waiting = Esperando la respuesta de { $name }…
browse-explain = Elija un archivo o carpeta en cualquiera de los dos lados y luego una flecha. { $name } permite o rechaza cada envío en su ordenador. Haga doble clic en una carpeta para abrirla.
browse-this-computer = Este ordenador
browse-their-computer = Ordenador de { $name }
browse-downloads = Descargas
browse-drives = Unidades
browse-loading = Leyendo la carpeta…
browse-truncated = Solo se muestran las primeras { $count } entradas.
browse-hint = Lo que se mueve va a la carpeta que se ve en el otro lado.
browse-send = Enviar «{ $what }» a { $name } ➡
browse-send-nothing = Enviar a { $name } ➡
browse-choose-here = Elija primero un archivo o carpeta de este ordenador
browse-copy = ⬅ Copiar «{ $what }» aquí
browse-copy-nothing = ⬅ Copiar aquí
browse-choose-there = Elija primero un archivo o carpeta del ordenador de { $name }
browse-conflict-title = Ese nombre ya existe
browse-conflict-body = «{ $what }» ya está en la carpeta { $place }.
browse-conflict-there = del ordenador de { $name }
browse-conflict-here = de este ordenador
browse-replace = Reemplazar
browse-replace-tip = Se reemplaza el que hay (en una carpeta: sus archivos con el mismo nombre).
browse-keep-both = Conservar ambos
browse-keep-both-tip = El nuevo recibe un número: «nombre (1)».
browse-skip = Omitir
browse-moves = Envíos
browse-no-moves = Aún no se ha movido nada.
browse-to = a { $name }
browse-from = de { $name }
browse-preparing = preparando: { $done } de { $total }
browse-asking = esperando a que { $name } lo permita
browse-moving = { $files ->
    [one] 1 archivo
   *[other] { $files } archivos
} · { $done } de { $total } · { $speed }/s · quedan { $left } s
browse-done = hecho: { $files ->
    [one] 1 archivo
   *[other] { $files } archivos
}
browse-done-some = llegaron { $files } archivos, { $failed } no ({ $why })
browse-refused-by = no se movió: { $name } lo rechazó
browse-refused = no se movió: { $why }
browse-cancelled = cancelado
browse-stopped = detenido: { $name } dejó de permitir explorar y mover archivos
browse-cancel = Cancelar

# La sesión de un compañero, desde esta consola
start-join-heading = Unirse a la sesión de un compañero
start-join-explain = Pegue la invitación de representante de soporte que le envió un compañero (un enlace o un código).
start-join-invite = Invitación
start-join = Unirse
start-joining = Uniéndose…
start-join-bad = Eso no es una invitación de Deskside: { $why }
start-join-customer = Esa invitación es para un cliente. Pida a su compañero una invitación de representante de soporte.
start-join-empty = pegue el enlace o el código completo que le envió su compañero.
start-join-garbled = compruebe que pegó el enlace o el código completo, y nada más.
start-join-expired = Esa invitación ha caducado. Pida a su compañero una nueva.
start-join-unreachable = No se puede contactar con la consola de su compañero. Compruebe que su sesión sigue en curso y vuelva a intentarlo.
start-join-relay-refused = El relé de su equipo rechazó la clave de esta invitación: revise el token del relé en Ajustes o pida una invitación nueva a su compañero.
start-join-blocked = La consola de su compañero no respondió, y tampoco se pudo contactar con el relé de su equipo ({ $host }). Si esta red tiene un cortafuegos, debe permitir el puerto TCP { $tcp } (HTTPS) y el puerto UDP { $udp } hacia { $host }, y el tráfico UDP saliente.
start-join-identity = El ordenador que respondió no es la consola de su compañero (su identidad no coincide con la invitación). No se le envió nada.
start-join-used = Esa invitación ya se usó. Pida a su compañero una nueva.
start-join-revoked = Su compañero retiró esa invitación.
start-join-other-session = Esa invitación no es para la sesión que su compañero lleva ahora.
start-join-ended = Esa sesión ha terminado.
start-join-version = Su consola y la de su compañero usan versiones distintas de Deskside: actualice ambas.
start-join-refused = La consola de su compañero no le dejó entrar.
start-join-failed = La conexión falló ({ $why }).
joined-heading = En la sesión de { $name }
joined-you-in-control = Usted tiene el control: puede pedir permisos al cliente, controlar su pantalla, pasar el control y finalizar la sesión.
joined-other-in-control = { $name } tiene el control. Usted ve la sesión y el chat; puede pasarle el control.
joined-you = {" "}(usted)
joined-leave = Salir de la sesión
joined-leave-tip = Usted sale; la sesión sigue para los demás.
joined-nothing-shared = Aún no se comparte nada. La pantalla aparece aquí cuando el cliente permite verla al representante que tiene el control.
joined-send-failed = No se pudo enviar el mensaje.
joined-ended-by = { $name } finalizó la sesión.
joined-ended = La sesión ha finalizado.
joined-left = Usted salió de la sesión.
joined-lost = Se perdió la conexión con la sesión.
joined-closed = El anfitrión cerró la conexión con la sesión.
host-busy = El anfitrión de la sesión está ocupado; inténtelo de nuevo.
host-stopped = El anfitrión de la sesión se ha detenido.
host-port-taken = otro programa usa el puerto { $port }. Elija otro puerto de escucha en Ajustes, o cierre ese programa.
host-cannot-listen = este ordenador no puede escuchar en el puerto { $port } ({ $why }).
host-no-random = este ordenador no dio números aleatorios seguros ({ $why }).
hand-over = Pasar la sesión a { $name } y salir
hand-over-tip = La consola de { $name } aloja la sesión desde ahora, con todos los participantes, el chat, sus notas y lo que permitieron los clientes; le siguen sin una nueva invitación.
handed-over = Pasada a { $name }, que aloja la sesión ahora.
took-over = Ahora usted aloja esta sesión: todos vuelven aquí por sí mismos, con lo que permitieron.
handing-over = Pasando la sesión a { $name }: su consola se está preparando…
tool-end-not-yours = Solo { $name }, que tiene el control, puede finalizar la sesión.

## The support site
settings-site = Sitio de soporte
settings-site-tip = El sitio de Deskside de su equipo (https://…): inicia sesión en él, y cada invitación de cliente recibe un código de 9 cifras para dictarlo por teléfono. Déjelo vacío para trabajar sin sitio.
settings-site-hint = https://soporte.ejemplo.com
settings-problem-site = El sitio de soporte debe ser una dirección https://, como https://support.example.com.
site-heading = Sitio de soporte
site-email = Correo electrónico
site-email-hint = nombre@ejemplo.com
site-password = Contraseña
site-sign-in = Acceder
site-signing-in = Accediendo…
site-signed-in = Ha accedido a { $site } como { $name } ({ $organisation })
site-sign-out = Salir del sitio
site-error-wrong-password = El correo electrónico o la contraseña no son correctos.
site-error-disabled = Su cuenta en el sitio de soporte está desactivada. Consulte a su administrador del sitio.
site-error-too-many = Demasiados intentos. Vuelva a intentarlo dentro de { $minutes } minutos.
site-error-unreachable = No se pudo conectar con el sitio de soporte ({ $site }). Revise la dirección en Ajustes y su conexión.
site-error-not-signed-in = Su acceso al sitio de soporte ha terminado. Vuelva a acceder.
site-error-other = El sitio de soporte lo rechazó: { $why }
site-error-bad-answer = El sitio de soporte dio una respuesta que Deskside no puede usar. Revise la dirección en Ajustes.
site-error-no-types = El sitio de soporte no le ofrece ningún tipo de sesión. Consulte al administrador del sitio.
site-type-not-offered = El sitio de soporte ya no ofrece el tipo de sesión «{ $kind }». Elija otro.
site-error-certificate = El sitio de soporte no respaldó esta sesión ({ $why }). Inténtelo de nuevo, o cierre la sesión del sitio para trabajar sin él.
site-fixed-name = Como le verán los clientes (lo fija su organización)
tool-not-allowed = Su organización no lo permite para este tipo de sesión.
invite-short-code = Código para dictar:
invite-short-code-tip = El cliente escribe estas 9 cifras en Deskside. Sirven una vez, hasta que caduca la invitación.
invite-short-code-getting = Pidiendo un código de 9 cifras al sitio de soporte…
invite-short-code-failed = Sin código de 9 cifras: { $why } El enlace y el código largo siguen sirviendo.
invite-copy-short = Copiar código de 9 cifras
reports-waiting = { $count ->
    [one] Un informe de sesión espera para enviarse a { $site }.
   *[other] { $count } informes de sesión esperan para enviarse a { $site }.
}
reports-waiting-tip = Su historial guarda todas las sesiones. Los informes se envían al sitio de su equipo mientras tenga la sesión iniciada, y se vuelven a enviar hasta que el sitio confirma que los tiene.
reports-problem = El último intento falló: { $why }
reports-history-problem = no se pudo leer el historial de sesiones ({ $why })
