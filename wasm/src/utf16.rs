//! Byte offsets of a UTF-8 string to UTF-16 code-unit offsets (JS string indices).

/// The UTF-16 offset of each wanted byte offset, computed in one pass over the string.
pub(crate) struct OffsetMap {
    /// `(byte offset, utf-16 offset)`, sorted by byte offset.
    pairs: Vec<(u64, u64)>,
}

impl OffsetMap {
    pub(crate) fn new(s: &str, mut wanted: Vec<u64>) -> OffsetMap {
        wanted.sort_unstable();
        wanted.dedup();
        let mut pairs = Vec::with_capacity(wanted.len());
        let mut units = 0u64;
        let mut chars = s.char_indices().peekable();
        for w in wanted {
            // Advance over every char that starts before the wanted offset.
            while let Some(&(i, c)) = chars.peek() {
                if i as u64 >= w {
                    break;
                }
                units += c.len_utf16() as u64;
                chars.next();
            }
            pairs.push((w, units));
        }
        OffsetMap { pairs }
    }

    /// The UTF-16 offset of byte offset `b` (which must have been wanted).
    pub(crate) fn get(&self, b: u64) -> u64 {
        match self.pairs.binary_search_by_key(&b, |p| p.0) {
            Ok(i) => self.pairs[i].1,
            Err(_) => unreachable!("offset {b} was not requested"),
        }
    }
}
