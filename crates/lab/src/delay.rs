//! Forwarders that add delay (these machines have no `netem`): every chunk of a TCP stream and
//! every UDP datagram is held a fixed time in each direction, in order, then passed on.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Most chunks or datagrams held at once in one direction (more wait to be read: TCP pushes
/// back, UDP drops as a full router would).
const HELD: usize = 4096;

/// Listens on `listen` (TCP) and passes each connection on to `upstream`, `one_way` later in
/// each direction. Returns once listening; the forwarding goes on on the current runtime.
///
/// # Errors
/// `listen` cannot be bound.
pub async fn tcp(listen: SocketAddr, upstream: SocketAddr, one_way: Duration) -> std::io::Result<()> {
    let listener = TcpListener::bind(listen).await?;
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = TcpStream::connect(upstream).await else { return };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pipe(cr, sw, one_way));
                tokio::spawn(pipe(sr, cw, one_way));
            });
        }
    });
    Ok(())
}

/// Reads chunks from `from` and writes each to `to` `one_way` after it arrived.
async fn pipe(mut from: tokio::net::tcp::OwnedReadHalf, mut to: tokio::net::tcp::OwnedWriteHalf, one_way: Duration) {
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(HELD);
    let writer = tokio::spawn(async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&chunk).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = from.read(&mut buf).await {
        if n == 0 || tx.send((Instant::now() + one_way, buf[..n].to_vec())).await.is_err() {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
}

/// Listens on `listen` (UDP) and passes each client's datagrams on to `upstream` from a socket
/// of its own, and the answers back, `one_way` later in each direction.
///
/// # Errors
/// `listen` cannot be bound.
pub async fn udp(listen: SocketAddr, upstream: SocketAddr, one_way: Duration) -> std::io::Result<()> {
    let front = Arc::new(UdpSocket::bind(listen).await?);
    let (to_clients, mut back) = mpsc::channel::<(Instant, SocketAddr, Vec<u8>)>(HELD);
    let front2 = front.clone();
    tokio::spawn(async move {
        while let Some((due, to, datagram)) = back.recv().await {
            tokio::time::sleep_until(due).await;
            let _ = front2.send_to(&datagram, to).await;
        }
    });
    tokio::spawn(async move {
        let mut clients: HashMap<SocketAddr, mpsc::Sender<(Instant, Vec<u8>)>> = HashMap::new();
        let mut buf = vec![0u8; 65_536];
        while let Ok((n, from)) = front.recv_from(&mut buf).await {
            let due = Instant::now() + one_way;
            let tx = match clients.entry(from) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(slot) => {
                    let Ok(tx) = client(listen, upstream, from, one_way, to_clients.clone()).await else { continue };
                    slot.insert(tx)
                }
            };
            let _ = tx.try_send((due, buf[..n].to_vec()));
        }
    });
    Ok(())
}

/// The way to `upstream` of the client at `from`: a socket of its own, whose answers go back
/// through `to_clients`.
async fn client(
    listen: SocketAddr,
    upstream: SocketAddr,
    from: SocketAddr,
    one_way: Duration,
    to_clients: mpsc::Sender<(Instant, SocketAddr, Vec<u8>)>,
) -> std::io::Result<mpsc::Sender<(Instant, Vec<u8>)>> {
    let sock = UdpSocket::bind(SocketAddr::new(listen.ip(), 0)).await?;
    sock.connect(upstream).await?;
    let sock = Arc::new(sock);
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(HELD);
    let up = sock.clone();
    tokio::spawn(async move {
        while let Some((due, datagram)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            let _ = up.send(&datagram).await;
        }
    });
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_536];
        while let Ok(n) = sock.recv(&mut buf).await {
            let _ = to_clients.try_send((Instant::now() + one_way, from, buf[..n].to_vec()));
        }
    });
    Ok(tx)
}
