//! Cursor pictures: packed for the wire (LZ4: a pointer is mostly transparent) and unpacked with
//! the size checked, so a hostile picture cannot claim more memory than its declared size.

use deskside_proto::CursorShape;

use crate::CodecError;

/// A pointer's picture, unpacked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CursorImage {
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Hot spot from the left.
    pub hot_x: u16,
    /// Hot spot from the top.
    pub hot_y: u16,
    /// Premultiplied RGBA, `width * height * 4` bytes.
    pub rgba: Vec<u8>,
}

impl CursorImage {
    /// The picture as sent.
    #[must_use]
    pub fn pack(&self) -> CursorShape {
        CursorShape {
            width: self.width,
            height: self.height,
            hot_x: self.hot_x,
            hot_y: self.hot_y,
            rgba_lz4: lz4_flex::block::compress(&self.rgba),
        }
    }

    /// The picture as received, checked.
    pub fn unpack(shape: &CursorShape) -> Result<CursorImage, CodecError> {
        if !shape.is_valid() {
            return Err(CodecError::Corrupt);
        }
        let len = usize::from(shape.width) * usize::from(shape.height) * 4;
        let mut rgba = vec![0; len];
        let n = lz4_flex::block::decompress_into(&shape.rgba_lz4, &mut rgba).map_err(|_| CodecError::Corrupt)?;
        if n != len {
            return Err(CodecError::Corrupt);
        }
        Ok(CursorImage { width: shape.width, height: shape.height, hot_x: shape.hot_x, hot_y: shape.hot_y, rgba })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_hostile_pictures() {
        let img = CursorImage {
            width: 24,
            height: 24,
            hot_x: 3,
            hot_y: 4,
            rgba: (0..24 * 24 * 4).map(|i| (i % 7) as u8).collect(),
        };
        let packed = img.pack();
        assert!(packed.rgba_lz4.len() < img.rgba.len());
        assert_eq!(CursorImage::unpack(&packed).unwrap(), img);
        let short = CursorShape { rgba_lz4: lz4_flex::block::compress(&[0; 16]), ..packed.clone() };
        assert_eq!(CursorImage::unpack(&short), Err(CodecError::Corrupt));
        let bomb = CursorShape { rgba_lz4: lz4_flex::block::compress(&vec![0; 1 << 20]), ..packed.clone() };
        assert_eq!(CursorImage::unpack(&bomb), Err(CodecError::Corrupt));
        let garbage = CursorShape { rgba_lz4: vec![0xFF; 30], ..packed.clone() };
        assert_eq!(CursorImage::unpack(&garbage), Err(CodecError::Corrupt));
        let bad_hot = CursorShape { hot_x: 24, ..packed };
        assert_eq!(CursorImage::unpack(&bad_hot), Err(CodecError::Corrupt));
    }
}
