//! Length-prefixed framing of postcard messages: a 4-byte little-endian length, then the body.
//!
//! The length is checked against the stream's bound before any buffer is allocated.

use serde::{Serialize, de::DeserializeOwned};

/// Why a frame could not be encoded or decoded.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    /// The announced length exceeds the bound for this stream.
    #[error("message of {len} bytes exceeds the limit of {max} bytes")]
    TooLarge {
        /// Announced length.
        len: usize,
        /// Bound for the stream.
        max: usize,
    },
    /// The body is not a valid message of the expected type.
    #[error("malformed message")]
    Malformed,
}

/// Encodes `msg` as one frame (length prefix and body), refusing bodies over `max` bytes.
pub fn encode_frame<T: Serialize>(msg: &T, max: usize) -> Result<Vec<u8>, FrameError> {
    let mut out = vec![0u8; 4];
    let mut out = postcard::to_extend(msg, std::mem::take(&mut out)).map_err(|_| FrameError::Malformed)?;
    let len = out.len() - 4;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    let prefix = u32::try_from(len).map_err(|_| FrameError::TooLarge { len, max })?;
    out[..4].copy_from_slice(&prefix.to_le_bytes());
    Ok(out)
}

/// Reads the body length from a frame's 4-byte prefix, refusing lengths over `max`.
pub fn frame_len(prefix: [u8; 4], max: usize) -> Result<usize, FrameError> {
    let len = u32::from_le_bytes(prefix) as usize;
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok(len)
}

/// Decodes one message body. Trailing bytes are malformed: a body is exactly one message.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, FrameError> {
    match postcard::take_from_bytes::<T>(body) {
        Ok((msg, [])) => Ok(msg),
        _ => Err(FrameError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_CONTROL_MSG_BYTES, ToHost};

    #[test]
    fn round_trip() {
        let msg = ToHost::Leave;
        let bytes = encode_frame(&msg, MAX_CONTROL_MSG_BYTES).unwrap();
        let len = frame_len(bytes[..4].try_into().unwrap(), MAX_CONTROL_MSG_BYTES).unwrap();
        assert_eq!(len, bytes.len() - 4);
        assert_eq!(decode::<ToHost>(&bytes[4..]).unwrap(), msg);
    }

    #[test]
    fn oversized_prefix_is_refused_before_allocation() {
        let err = frame_len(u32::MAX.to_le_bytes(), 1024).unwrap_err();
        assert_eq!(err, FrameError::TooLarge { len: u32::MAX as usize, max: 1024 });
    }

    #[test]
    fn oversized_body_is_refused_on_encode() {
        let msg = vec![7u8; 100];
        assert!(matches!(encode_frame(&msg, 10), Err(FrameError::TooLarge { .. })));
    }

    #[test]
    fn trailing_bytes_are_malformed() {
        let mut bytes = postcard::to_stdvec(&ToHost::Leave).unwrap();
        bytes.push(0);
        assert_eq!(decode::<ToHost>(&bytes), Err(FrameError::Malformed));
    }

    proptest::proptest! {
        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let _ = decode::<ToHost>(&bytes);
            let _ = decode::<crate::ToGuest>(&bytes);
            let _ = decode::<crate::ScreenMsg>(&bytes);
            let _ = decode::<crate::InputEvent>(&bytes);
            let _ = decode::<crate::Hello>(&bytes);
        }
    }
}
