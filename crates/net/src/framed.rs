//! Reading and writing length-prefixed messages on QUIC streams. The length is checked against
//! the stream's bound before the body is allocated; anything malformed is an error value.

use deskside_proto::{FrameError, decode, encode_frame, frame_len};
use serde::{Serialize, de::DeserializeOwned};

/// Why a message could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// The peer sent something that is not a valid message.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// The stream ended cleanly between messages.
    #[error("stream finished")]
    Finished,
    /// The stream or connection failed.
    #[error("stream failed: {0}")]
    Read(#[from] iroh::endpoint::ReadExactError),
    /// Writing failed.
    #[error("stream failed: {0}")]
    Write(#[from] iroh::endpoint::WriteError),
}

/// Reads one message of at most `max` bytes. A stream that ends before a message starts gives
/// [`StreamError::Finished`]; one that ends inside a message is malformed.
pub async fn read_msg<T: DeserializeOwned>(
    recv: &mut iroh::endpoint::RecvStream,
    max: usize,
) -> Result<T, StreamError> {
    let body = read_body(recv, max).await?;
    Ok(decode(&body)?)
}

/// Reads one message body of at most `max` bytes, undecoded.
pub async fn read_body(recv: &mut iroh::endpoint::RecvStream, max: usize) -> Result<Vec<u8>, StreamError> {
    let mut prefix = [0u8; 4];
    match recv.read_exact(&mut prefix).await {
        Ok(()) => {}
        Err(iroh::endpoint::ReadExactError::FinishedEarly(0)) => return Err(StreamError::Finished),
        Err(iroh::endpoint::ReadExactError::FinishedEarly(_)) => return Err(FrameError::Malformed.into()),
        Err(e) => return Err(e.into()),
    }
    let len = frame_len(prefix, max)?;
    let mut body = vec![0u8; len];
    match recv.read_exact(&mut body).await {
        Ok(()) => Ok(body),
        Err(iroh::endpoint::ReadExactError::FinishedEarly(_)) => Err(FrameError::Malformed.into()),
        Err(e) => Err(e.into()),
    }
}

/// Writes one message of at most `max` bytes; returns how many bytes went on the stream.
pub async fn write_msg<T: Serialize>(
    send: &mut iroh::endpoint::SendStream,
    msg: &T,
    max: usize,
) -> Result<usize, StreamError> {
    let bytes = encode_frame(msg, max)?;
    send.write_all(&bytes).await?;
    Ok(bytes.len())
}
