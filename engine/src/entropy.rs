//! Shannon entropy of a byte string, in bits per byte.
//!
//! Used to tell random-looking secrets from words and repeated characters. Computed over a
//! 256-entry histogram on the stack: no allocation, one pass.

/// Shannon entropy of `bytes` in bits per byte (0.0 for an empty slice, at most 8.0).
pub fn shannon(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[b as usize] += 1;
    }
    // -sum(p log p) = log n - sum(c log c) / n over the distinct bytes' counts c. Visiting
    // them through the input (taking each count once) rather than all 256 entries, and
    // skipping counts of 1 (1 log 1 = 0), spares most of the work: values are short (a
    // secret of 20-60 bytes) and mostly distinct bytes.
    let mut sum = 0.0;
    for &b in bytes {
        let c = std::mem::take(&mut counts[b as usize]);
        if c > 1 {
            sum += f64::from(c) * f64::from(c).log2();
        }
    }
    let n = bytes.len() as f64;
    (n.log2() - sum / n).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::shannon;

    #[test]
    fn known_values() {
        assert_eq!(shannon(b""), 0.0);
        assert_eq!(shannon(b"aaaa"), 0.0);
        assert!((shannon(b"ab") - 1.0).abs() < 1e-12);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-12);
        let all: Vec<u8> = (0..=255).collect();
        assert!((shannon(&all) - 8.0).abs() < 1e-9);
        // p = 1/2, 1/4, 1/4: 1.5 bits.
        assert!((shannon(b"aabc") - 1.5).abs() < 1e-12);
    }

    #[test]
    fn agrees_with_the_definition() {
        let definition = |bytes: &[u8]| -> f64 {
            let mut counts = [0u32; 256];
            bytes.iter().for_each(|&b| counts[b as usize] += 1);
            let n = bytes.len() as f64;
            counts
                .iter()
                .filter(|&&c| c > 0)
                .map(|&c| -(c as f64 / n) * (c as f64 / n).log2())
                .sum()
        };
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for len in 1..300 {
            // Alphabets from 1 to 256 symbols, so counts of 1 and many repeats both occur.
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let symbols = 1 + (seed % 256) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|i| ((seed >> (i % 50)) as usize % symbols) as u8)
                .collect();
            let (fast, slow) = (shannon(&bytes), definition(&bytes));
            assert!((fast - slow).abs() < 1e-9, "{bytes:?}: {fast} vs {slow}");
        }
    }
}
