//! The keyword prefilter: finds every occurrence of every keyword (ASCII case-insensitive,
//! overlapping) in a range of the buffer, in the order the scanner needs them.
//!
//! # Why not only Aho-Corasick
//! An Aho-Corasick DFA over the default set's 1,392 keywords takes one step per byte, and each
//! step's table load needs the previous step's result: a chain of dependent loads (~19
//! instructions) per byte, which the CPU cannot overlap, even where no keyword occurs. Most
//! text contains no keyword at all.
//!
//! # What this does instead
//! 1. **Gram filter.** Each keyword of 4 bytes or more is represented by one of its 4-byte
//!    substrings (a *gram*), chosen to be rare in text (see [`gram_rarity`]). A table of
//!    2^20 bits (128 KiB) holds one bit per gram, at the top 20 bits of the gram's product
//!    with an odd constant (multiplicative hashing: they depend on all 4 bytes). Keywords of 3
//!    bytes set the bits of their grams with each 4th byte that can continue a match of one
//!    of their rules (`follow`: Discord's `mti` only before one of 10 bytes; any byte for
//!    most). The scan loads 8 bytes at a time and tests the 5 positions they cover: a
//!    multiply, a load and three shifts each, independent of each other (unlike the
//!    automaton's chain), and one branch per 5 positions. A keyword occurrence contains its
//!    gram at a fixed offset, so its gram position is always tested: no false negatives by
//!    construction.
//!
//!    The table is larger than the 48 KiB of L1 data cache here; 32 KiB and 64 KiB ran slower
//!    all the same, their extra hash collisions costing more than the cache misses. (Until
//!    2026-12-07 the word was a hash of a gram's first 3 bytes only, so that a 3-byte keyword
//!    filled one word: every common trigram that landed in such a word hit, 32,000 times per
//!    4 MiB for `}if(` of minified code, and which ones did was luck of the hash.)
//! 2. **Two-byte keywords** have no gram; their first bytes (at most three, case included)
//!    are found with `memchr3`, and each such position is checked too. With more distinct
//!    first bytes every position is checked (slow, but correct).
//! 3. **Exact check.** A set bit (real grams and hash collisions) looks up the keywords whose
//!    gram lands in that word and compares each in place.
//! 4. **Order.** Occurrences are reported in the order an overlapping Aho-Corasick search
//!    reports them — by end, then by start (at one end position its automaton reports the
//!    longest keyword first) — because the scanner's per-rule cursors make that order part of
//!    the result. A hit at position `i` yields occurrences ending at `i + min_tail` or later,
//!    so everything pending that ends before that can be released; the rest wait in a small
//!    sorted buffer whose size is bounded by the keyword lengths, allocated up front.
//!
//! 5. **Dense blocks.** Where keywords are every few bytes (configuration dumps, `.env`
//!    files, adversarial text), nearly every gram hits, and the exact checks cost more than
//!    the automaton's chain: ~700 instructions an occurrence in keyword-dense text, against
//!    ~9 a byte for an Aho-Corasick DFA of all keywords (walked state by state here: the
//!    crate's overlapping iterator added ~150 a match). So the range goes in blocks of
//!    [`BLOCK`] bytes, and after a full block with an occurrence every [`DENSE_SPACING`] bytes
//!    or more often, the next block is searched with that DFA (built on first need: 3.9 MB
//!    and 5-15 ms for the default set, so short inputs never pay for it). Each block reports the
//!    occurrences that end in it, searching from the longest keyword's length before it.
//!
//! Sampling at a stride (testing every `k`-th position) would be cheaper but needs every
//! keyword to be at least `k + 3` bytes long; the default set has 175 keywords of 2 to 4 bytes.

use std::sync::OnceLock;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind};

use crate::regex_facts::{contains, ByteSet, ANY_BYTE};

/// The table has `2^WORD_BITS` words of 64 bits (128 KiB).
const WORD_BITS: u32 = 14;
const WORDS: usize = 1 << WORD_BITS;
/// Clears bit 5 of every byte: folds ASCII case (other bytes may collide too, which only
/// costs a check).
const FOLD: u64 = 0xdfdf_dfdf_dfdf_dfdf;

/// The range is searched in blocks of this many bytes; after a full block with a keyword
/// occurrence every [`DENSE_SPACING`] bytes or more often, the next one is searched with an
/// Aho-Corasick DFA instead of the gram filter (see the module notes).
const BLOCK: usize = 16 << 10;
const DENSE_SPACING: usize = 32;

/// Multiplier of the gram hash (odd, well mixed).
const MUL: u32 = 0x9e37_79b1;

/// The table is one array of `2^(WORD_BITS + 6)` bits, and a gram's bit is the top
/// `WORD_BITS + 6` bits of its product with `MUL` (multiplicative hashing: the top bits
/// depend on every byte). This is its word: the top `WORD_BITS` bits.
#[inline(always)]
fn word_index(k: u32) -> usize {
    (k.wrapping_mul(MUL) >> (32 - WORD_BITS)) as usize
}

/// The gram's bit in its word: the next 6 bits of the same product.
#[inline(always)]
fn bit_index(k: u32) -> u32 {
    (k.wrapping_mul(MUL) >> (32 - WORD_BITS - 6)) & 63
}

/// Folded little-endian gram of up to 4 bytes.
fn gram_of(b: &[u8]) -> u32 {
    let mut g = [0u8; 4];
    g[..b.len()].copy_from_slice(b);
    (u32::from_le_bytes(g) as u64 & FOLD) as u32
}

/// The gram's bit in bit 0: one multiply (shared by both indexes), two shifts, a load and a
/// shift by a register (which takes the count modulo 64 on its own).
#[inline(always)]
fn bit_in(table: &[u64; WORDS], k: u32) -> u64 {
    table[word_index(k)] >> bit_index(k)
}

/// The first `i` (stepping by 5 from `i`, while `i + 8 <= end`) whose five grams hit the
/// table; `i` past the last such step if none. The hot loop: kept apart so that nothing else
/// competes for its registers.
#[inline(never)]
fn skip(table: &[u64; WORDS], hay: &[u8], mut i: usize, end: usize) -> usize {
    let end = end.min(hay.len());
    while i + 8 <= end {
        let w = u64::from_le_bytes(hay[i..i + 8].try_into().unwrap_or([0; 8])) & FOLD;
        let any = bit_in(table, w as u32)
            | bit_in(table, (w >> 8) as u32)
            | bit_in(table, (w >> 16) as u32)
            | bit_in(table, (w >> 24) as u32)
            | bit_in(table, (w >> 32) as u32);
        if any & 1 != 0 {
            return i;
        }
        i += 5;
    }
    i
}

/// The grams of a 3-byte keyword `k` followed by a byte of `follow` (case-folded twins
/// repeat). The scan reads bytes past the end of its range as zero, so a zero byte follows too.
fn fourth_bytes<'a>(k: &'a [u8], follow: &'a ByteSet) -> impl Iterator<Item = u32> + 'a {
    (0..=255u8)
        .filter(|&b| b == 0 || contains(follow, b))
        .map(|b| gram_of(&[k[0], k[1], k[2], b]))
}

/// Whether `hay` is `lower` (a lowercase keyword of the same length) ignoring ASCII case, 8
/// bytes at a time: setting bit 5 (`case`: 0x20 where `lower` has a letter) maps `A` to `a`
/// and leaves `a`, and no other byte becomes a letter that way, so the test is exact. The
/// keyword comparison is the hot part of the exact check in text full of keywords.
#[inline]
fn eq_folded(hay: &[u8], lower: &[u8], case: &[u8]) -> bool {
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let (mut h, mut l, mut c) = (
        hay.chunks_exact(8),
        lower.chunks_exact(8),
        case.chunks_exact(8),
    );
    for ((h, l), c) in h.by_ref().zip(l.by_ref()).zip(c.by_ref()) {
        if word(h) | word(c) != word(l) {
            return false;
        }
    }
    h.remainder()
        .iter()
        .zip(l.remainder())
        .zip(c.remainder())
        .all(|((&h, &l), &c)| h | c == l)
}

/// One keyword reachable from a table word.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// The gram, folded, and which of its bytes count (3-byte keywords: the low three).
    gram: u32,
    mask: u32,
    /// Keyword (pattern) index.
    pattern: u32,
    /// Offset of the gram in the keyword.
    offset: u8,
    /// The keyword's length, and its first 8 bytes (lowercase, zero past its end) with their
    /// [`eq_folded`] case bits: in text full of keywords most candidates are decided by these
    /// alone, without loading the keyword from elsewhere.
    len: u8,
    head: u64,
    head_case: u64,
}

/// The bit [`eq_folded`] sets on a byte of `hay` to compare it with `b` of a lowercase
/// keyword: 0x20 for a letter, else 0.
fn case_bit(b: u8) -> u8 {
    if b.is_ascii_lowercase() {
        0x20
    } else {
        0
    }
}

/// `head` and `head_case` of keyword `k` (lowercase).
fn head_of(k: &[u8]) -> (u64, u64) {
    let mut head = [0u8; 8];
    let mut case = [0u8; 8];
    let n = k.len().min(8);
    head[..n].copy_from_slice(&k[..n]);
    for (c, &b) in case.iter_mut().zip(&k[..n]) {
        *c = case_bit(b);
    }
    (u64::from_le_bytes(head), u64::from_le_bytes(case))
}

/// A keyword occurrence: `pattern` at `start..end` (haystack offsets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Occurrence {
    // Field order is the report order.
    pub end: usize,
    pub start: usize,
    pub pattern: u32,
}

/// Scratch for [`Prefilter::for_each`]: the reorder buffer, sized by [`Prefilter::new_scratch`],
/// and which search the next block takes.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    /// Sorted descending, so the next occurrence to report is at the back.
    pending: Vec<Occurrence>,
    /// The last full block held a keyword every [`DENSE_SPACING`] bytes or more often.
    dense: bool,
}

/// How positions that may start a two-byte keyword are found.
#[derive(Clone, Copy, Debug)]
enum Pairs {
    None,
    /// `memchr3` over these bytes (repeated when fewer than three).
    Bytes([u8; 3]),
    /// Too many distinct first bytes: every position.
    All,
}

pub(crate) struct Prefilter {
    table: Box<[u64; WORDS]>,
    /// `entries[heads[w] as usize..heads[w + 1] as usize]` are the keywords whose gram lands
    /// in table word `w`.
    heads: Box<[u32]>,
    entries: Box<[Entry]>,
    /// Two-byte keywords (pattern indices) and how to find where they may start.
    pair_patterns: Box<[u32]>,
    pairs: Pairs,
    /// Keywords, lowercase.
    keywords: Vec<Box<[u8]>>,
    /// Per keyword, per byte: 0x20 where it is a letter (see [`eq_folded`]).
    case_bits: Vec<Box<[u8]>>,
    /// Per keyword: the bytes after it that can continue a match (see [`Prefilter::new`]).
    follow: Box<[ByteSet]>,
    /// A hit at `i` yields occurrences ending at `i + min_tail` or later.
    min_tail: usize,
    /// Most occurrences that can wait in the reorder buffer at once.
    pending_capacity: usize,
    /// Longest keyword.
    max_len: usize,
    /// The automaton for blocks dense in keywords and its start state (see
    /// [`Prefilter::dense`]).
    dense: OnceLock<Option<(DFA, StateID)>>,
}

/// How common a byte is in text, roughly (higher: more common). Used only to choose which
/// gram represents a keyword: rare grams mean fewer hits to check, never different results.
fn byte_commonness(b: u8) -> u32 {
    match b.to_ascii_lowercase() {
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' | b'h' | b'l' => 12,
        b'd' | b'c' | b'u' | b'm' | b'f' | b'p' | b'g' | b'w' | b'y' | b'b' | b' ' => 8,
        b'0'..=b'9' | b'.' | b'/' | b'=' | b'"' | b',' | b':' | b'(' | b')' | b';' => 6,
        b'v' | b'k' | b'x' | b'_' | b'-' => 4,
        _ => 2,
    }
}

/// How many of the keywords in `sorted` (lowercase, sorted) start with `prefix`.
fn sharing_prefix(sorted: &[&[u8]], prefix: &[u8]) -> u32 {
    let from = sorted.partition_point(|k| *k < prefix);
    sorted[from..]
        .iter()
        .take_while(|k| k.starts_with(prefix))
        .count() as u32
}

/// The most frequent letter trigrams of English text (the usual published top 50), which
/// identifiers, log messages and prose repeat everywhere (`ion` in `session`, `region`,
/// `action`).
const COMMON_TRIGRAMS: [&[u8; 3]; 50] = [
    b"the", b"and", b"ing", b"ion", b"tio", b"ent", b"ati", b"for", b"her", b"ter", b"hat", b"tha",
    b"ere", b"ate", b"his", b"con", b"res", b"ver", b"all", b"ons", b"nce", b"men", b"ith", b"ted",
    b"ers", b"pro", b"thi", b"wit", b"are", b"ess", b"not", b"ive", b"was", b"ect", b"rea", b"com",
    b"eve", b"per", b"int", b"est", b"sta", b"cti", b"ica", b"ist", b"ear", b"ain", b"one", b"our",
    b"iti", b"rat",
];

/// Words that code, logs and markup repeat everywhere: keywords, common identifiers and log
/// field names, and the vocabulary of frontend code (`new `, `source`, `attribute`, `padding`:
/// grams inside them, `urce` of `sourcegraph`, `ribu` of `/attributes`, `padd` of `paddle`,
/// were hit 900-2,800 times per 4 MiB of real bundles). A gram inside one (`user` of
/// `net user`, `chec` of `checkout_`) is hit far more often than its letters suggest.
#[rustfmt::skip]
const COMMON_WORDS: [&str; 145] = [
    "this", "that", "with", "from", "return", "function", "true", "false", "null", "none", "self",
    "user", "name", "type", "data", "value", "string", "http", "info", "error", "warn", "debug",
    "request", "response", "status", "time", "date", "path", "file", "test", "check", "checkout",
    "order", "event", "message", "session", "config", "default", "public", "static", "class",
    "import", "export", "const", "void", "case", "else", "while", "break", "object", "array",
    "list", "index", "length", "count", "size", "text", "html", "body", "content", "client",
    "server", "host", "port", "service", "system", "update", "create", "delete", "version",
    "duration_ms", "latency_ms", "elapsed_ms", "request_id", "user_agent", "module", "window",
    "document", "result", "params", "query", "header", "method", "level", "timestamp", "mozilla",
    "number", "match",
    // Frontend code.
    "new ", "source", "attribute", "network", "instance", "reference", "sequence", "append",
    "depend", "pending", "padding", "context", "component", "element", "property", "prototype",
    "children", "position", "transform", "handler", "listener", "callback", "undefined",
    "constructor", "arguments", "console", "selector", "format", "locale", "buffer", "offset",
    "width", "height", "style", "state", "props", "render", "click", "stack", "segment", "switch",
    "mode", "node", "screen", "keys", "frame", "canvas", "color", "image", "point", "scale",
    "current", "target", "global", "parent", "center", "passive",
];

/// The folded 4-byte grams of [`COMMON_WORDS`], sorted.
fn common_word_grams() -> Vec<u32> {
    let mut grams: Vec<u32> = COMMON_WORDS
        .iter()
        .flat_map(|w| w.as_bytes().windows(4).map(gram_of))
        .collect();
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// A trigram, ASCII lowercase, as a number (the order [`common_trigrams`] sorts by).
fn lower_trigram(t: &[u8]) -> u32 {
    u32::from_le_bytes([
        t[0].to_ascii_lowercase(),
        t[1].to_ascii_lowercase(),
        t[2].to_ascii_lowercase(),
        0,
    ])
}

/// [`COMMON_TRIGRAMS`] as sorted [`lower_trigram`]s: a binary search per trigram instead of
/// 50 comparisons (those were a fifth of every engine build).
fn common_trigrams() -> Vec<u32> {
    let mut t: Vec<u32> = COMMON_TRIGRAMS
        .iter()
        .map(|c| lower_trigram(&c[..]))
        .collect();
    t.sort_unstable();
    t
}

/// Estimated frequency of a gram in text: the product of its bytes' commonness, times 8 for
/// each common trigram in it (`common_trigrams`: [`common_trigrams`], matched ignoring ASCII
/// case), times 64 inside a common word (`common_words`: the sorted [`common_word_grams`]).
fn gram_rarity(g: &[u8], common_words: &[u32], common_trigrams: &[u32]) -> u64 {
    let word = if common_words.binary_search(&gram_of(g)).is_ok() {
        64
    } else {
        1
    };
    let bytes: u64 = word
        * g.iter()
            .map(|&b| u64::from(byte_commonness(b)))
            .product::<u64>();
    let common = g
        .windows(3)
        .filter(|t| common_trigrams.binary_search(&lower_trigram(t)).is_ok())
        .count() as u32;
    bytes << (3 * common)
}

impl Prefilter {
    /// Builds the filter for `keywords` (each at least 2 bytes long: the rule compiler refuses
    /// shorter ones; an empty keyword is ignored). `follow[i]` holds the bytes that can come
    /// right after `keywords[i]` in a match of one of its rules (all when `follow` is shorter):
    /// occurrences followed by another byte select nothing, so they are not reported, and a
    /// 3-byte keyword sets only the bits of those 4th bytes instead of its whole table word.
    pub(crate) fn new(keywords: &[String], follow: &[ByteSet]) -> Prefilter {
        let follow: Box<[ByteSet]> = (0..keywords.len())
            .map(|i| follow.get(i).copied().unwrap_or(ANY_BYTE))
            .collect();
        let keywords: Vec<Box<[u8]>> = keywords
            .iter()
            .map(|k| k.as_bytes().to_ascii_lowercase().into_boxed_slice())
            .collect();
        // Choose each keyword's gram: the rarest, penalising grams that several other keywords
        // already use and grams inside a stem other keywords share. Keywords with the fewest
        // choices pick first.
        let common = common_word_grams();
        let trigrams = common_trigrams();
        let mut sorted: Vec<&[u8]> = keywords.iter().map(|k| &k[..]).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut order: Vec<usize> = (0..keywords.len()).collect();
        order.sort_by_key(|&i| (keywords[i].len(), i));
        let mut used: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        let mut entries: Vec<(usize, Entry)> = Vec::new();
        let mut pair_patterns = Vec::new();
        let mut pair_firsts: Vec<u8> = Vec::new();
        let mut min_tail = usize::MAX;
        let mut table = Box::new([0u64; WORDS]);
        for &p in &order {
            let k = &keywords[p];
            match k.len() {
                0 => continue,
                1 | 2 => {
                    pair_patterns.push(p as u32);
                    pair_firsts.push(k[0]);
                    pair_firsts.push(k[0].to_ascii_uppercase());
                    min_tail = min_tail.min(k.len());
                }
                3 => {
                    // One bit per byte that can follow; one entry in each word they land in.
                    let mut words: Vec<usize> = fourth_bytes(k, &follow[p])
                        .map(|g| {
                            table[word_index(g)] |= 1 << bit_index(g);
                            word_index(g)
                        })
                        .collect();
                    words.sort_unstable();
                    words.dedup();
                    min_tail = min_tail.min(3);
                    let (head, head_case) = head_of(k);
                    let e = Entry {
                        gram: gram_of(k),
                        mask: 0x00ff_ffff,
                        pattern: p as u32,
                        offset: 0,
                        len: 3,
                        head,
                        head_case,
                    };
                    entries.extend(words.into_iter().map(|w| (w, e)));
                }
                n => {
                    let offset = (0..=n - 4)
                        .min_by_key(|&j| {
                            let g = &k[j..j + 4];
                            // Sharing a gram with a keyword or two costs no extra hits (one
                            // hit checks both); with more, every hit compares them all.
                            let reuse = match used.get(&gram_of(g)).copied().unwrap_or(0) {
                                n @ 3.. => 1 + n,
                                _ => 1,
                            };
                            // A gram inside a prefix other keywords share (`checkout` of
                            // `checkout_`, `checkout.`, `checkoutapi`) is hit wherever that
                            // stem is, once for each of them that picks a gram there.
                            let stem = sharing_prefix(&sorted, &k[..j + 4]);
                            (
                                gram_rarity(g, &common, &trigrams) * u64::from(reuse * stem),
                                j,
                            )
                        })
                        .unwrap_or(0);
                    let g = gram_of(&k[offset..offset + 4]);
                    *used.entry(g).or_default() += 1;
                    let w = word_index(g);
                    table[w] |= 1 << bit_index(g);
                    min_tail = min_tail.min(n - offset);
                    let (head, head_case) = head_of(k);
                    let e = Entry {
                        gram: g,
                        mask: u32::MAX,
                        pattern: p as u32,
                        offset: offset as u8,
                        // Keywords are 2 to 64 bytes long (the rule compiler checks).
                        len: n as u8,
                        head,
                        head_case,
                    };
                    entries.push((w, e));
                }
            }
        }
        entries.sort_by_key(|&(w, e)| (w, e.pattern));
        let mut heads = vec![0u32; WORDS + 1].into_boxed_slice();
        for &(w, _) in &entries {
            heads[w + 1] += 1;
        }
        for w in 0..WORDS {
            heads[w + 1] += heads[w];
        }
        pair_firsts.sort_unstable();
        pair_firsts.dedup();
        let pairs = match pair_firsts[..] {
            [] => Pairs::None,
            [a] => Pairs::Bytes([a; 3]),
            [a, b] => Pairs::Bytes([a, b, b]),
            [a, b, c] => Pairs::Bytes([a, b, c]),
            _ => Pairs::All,
        };
        let case_bits = keywords
            .iter()
            .map(|k| k.iter().map(|&b| case_bit(b)).collect())
            .collect();
        let max_len = keywords.iter().map(|k| k.len()).max().unwrap_or(0);
        let mut lengths: Vec<usize> = keywords.iter().map(|k| k.len()).collect();
        lengths.sort_unstable();
        lengths.dedup();
        Prefilter {
            table,
            heads,
            entries: entries.into_iter().map(|(_, e)| e).collect(),
            pair_patterns: pair_patterns.into_boxed_slice(),
            pairs,
            keywords,
            case_bits,
            follow,
            min_tail: if min_tail == usize::MAX { 0 } else { min_tail },
            // Pending occurrences end within `max_len` bytes of each other, and at one end
            // position there is at most one per keyword length.
            pending_capacity: (max_len + 1) * lengths.len().max(1),
            max_len,
            dense: OnceLock::new(),
        }
    }

    /// Scratch sized so that [`for_each`](Self::for_each) never allocates.
    pub(crate) fn new_scratch(&self) -> Scratch {
        Scratch {
            pending: Vec::with_capacity(self.pending_capacity),
            dense: false,
        }
    }

    /// The filter's bit for the gram in `k` (folded), in bit 0.
    #[inline(always)]
    fn bit(&self, k: u32) -> u64 {
        bit_in(&self.table, k)
    }

    /// The keywords whose gram is exactly `k` (the entries of its table word that match it).
    #[inline(always)]
    fn gram_entries(&self, k: u32) -> impl Iterator<Item = &Entry> {
        let w = word_index(k);
        self.entries[self.heads[w] as usize..self.heads[w + 1] as usize]
            .iter()
            .filter(move |e| k & e.mask == e.gram)
    }

    /// Whether some keyword's gram is exactly `k` (a table bit also answers for hash
    /// collisions, which are most hits in text without keywords: this turns them away
    /// before the exact check, in a few instructions).
    #[inline(always)]
    fn has_gram(&self, k: u32) -> bool {
        self.gram_entries(k).next().is_some()
    }

    /// The next position at or after `from` (and before `hi - 1`) where a two-byte keyword
    /// may start, or `usize::MAX`.
    fn next_pair(&self, hay: &[u8], from: usize, hi: usize) -> usize {
        if from + 2 > hi {
            return usize::MAX;
        }
        match self.pairs {
            Pairs::None => usize::MAX,
            Pairs::All => from,
            Pairs::Bytes([a, b, c]) => {
                memchr::memchr3(a, b, c, &hay[from..hi - 1]).map_or(usize::MAX, |x| from + x)
            }
        }
    }

    /// The Aho-Corasick DFA of the keywords and its unanchored start state, built on first use
    /// (or by [`build_dense`](Self::build_dense)); `None` if it cannot be built (then the gram
    /// filter searches every block).
    fn dense(&self) -> Option<&(DFA, StateID)> {
        self.dense
            .get_or_init(|| {
                if self.keywords.iter().any(|k| k.is_empty()) {
                    return None; // an empty pattern would match everywhere
                }
                let dfa = DFA::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    // The walk below never asks a prefilter, and without one the start
                    // state is not special: only match states are.
                    .prefilter(false)
                    .build(&self.keywords)
                    .ok()?;
                let start = dfa.start_state(Anchored::No).ok()?;
                Some((dfa, start))
            })
            .as_ref()
    }

    /// Calls `emit` for every keyword occurrence ending in `hay[from..next]` (searching
    /// from `from`), by end, then longest first, that a byte of its `follow` set follows
    /// (or that ends at `hi`). The automaton's own loop, walked here: its overlapping
    /// iterator costs ~150 instructions a match to suspend and resume, which in text with a
    /// keyword every few bytes was more than the walk itself.
    fn for_each_dense(
        &self,
        (dfa, start): &(DFA, StateID),
        hay: &[u8],
        from: usize,
        next: usize,
        hi: usize,
        mut emit: impl FnMut(Occurrence),
    ) {
        let mut sid = *start;
        for (at, &b) in hay[..next].iter().enumerate().skip(from) {
            sid = dfa.next_state(Anchored::No, sid, b);
            // Unanchored and standard: no dead state (see `dense` for the start state).
            if !dfa.is_special(sid) || !dfa.is_match(sid) {
                continue;
            }
            let end = at + 1;
            for k in 0..dfa.match_len(sid) {
                let p = dfa.match_pattern(sid, k);
                if !self.may_continue(hay, hi, end, p.as_u32()) {
                    continue;
                }
                emit(Occurrence {
                    end,
                    start: end - dfa.pattern_len(p),
                    pattern: p.as_u32(),
                });
            }
        }
    }

    /// Builds the automaton for dense blocks now (an eager engine: scanning then allocates
    /// nothing).
    pub(crate) fn build_dense(&self) {
        self.dense();
    }

    /// Calls `f` for every keyword occurrence lying entirely in `hay[lo..hi]`, ordered by end,
    /// then start: exactly what an overlapping, ASCII case-insensitive Aho-Corasick search
    /// over that span reports, in the same order.
    ///
    /// The range goes in blocks: each reports the occurrences ending in it (searching from
    /// the longest keyword's length before it), with the gram filter, or with the
    /// automaton after a full block dense in keywords. Both find the same occurrences.
    pub(crate) fn for_each(
        &self,
        hay: &[u8],
        lo: usize,
        hi: usize,
        scratch: &mut Scratch,
        mut f: impl FnMut(Occurrence),
    ) {
        let hi = hi.min(hay.len());
        // Occurrences ending at or before `cut` have been reported.
        let mut cut = lo;
        while cut < hi {
            let next = (cut + BLOCK).min(hi);
            let from = lo.max((cut + 1).saturating_sub(self.max_len));
            let mut found = 0;
            let emit = |o: Occurrence| {
                if o.end > cut {
                    found += 1;
                    f(o);
                }
            };
            let dense = if scratch.dense { self.dense() } else { None };
            match dense {
                Some(dfa) => self.for_each_dense(dfa, hay, from, next, hi, emit),
                None => self.for_each_gram(hay, from, next, hi, &mut scratch.pending, emit),
            }
            if next - cut == BLOCK {
                scratch.dense = found * DENSE_SPACING >= BLOCK;
            }
            cut = next;
        }
    }

    /// [`for_each`](Self::for_each) with the gram filter; `follow_hi`: where the range
    /// really ends (the byte after an occurrence ending before it decides whether it counts).
    fn for_each_gram(
        &self,
        hay: &[u8],
        lo: usize,
        hi: usize,
        follow_hi: usize,
        pending: &mut Vec<Occurrence>,
        mut f: impl FnMut(Occurrence),
    ) {
        pending.clear();
        let mut pair_at = self.next_pair(hay, lo, hi);
        let table: &[u64; WORDS] = &self.table;
        let mut i = lo;
        // Eight bytes hold the 4-byte grams of five positions.
        loop {
            // Stop at the word holding `pair_at` too: `i + 5 > pair_at` once `i + 8 > pair_at + 3`.
            i = skip(table, hay, i, hi.min(pair_at.saturating_add(3)));
            if i + 8 > hi {
                break;
            }
            let w = u64::from_le_bytes(hay[i..i + 8].try_into().unwrap_or([0; 8])) & FOLD;
            for s in 0..5 {
                let k = (w >> (8 * s)) as u32;
                let pair = pair_at == i + s;
                if (bit_in(table, k) & 1 != 0 && self.has_gram(k)) || pair {
                    self.check(hay, lo, hi, follow_hi, i + s, k, pair, pending, &mut f);
                }
                if pair {
                    pair_at = self.next_pair(hay, i + s + 1, hi);
                }
            }
            i += 5;
        }
        // The last few positions: bytes past `hi` read as zero (only 3-byte keywords, whose
        // words have every bit set, and two-byte ones can end there).
        while i + 2 <= hi {
            let b = |j: usize| if j < hi { hay[j] } else { 0 };
            let k = gram_of(&[b(i), b(i + 1), b(i + 2), b(i + 3)]);
            let pair = pair_at == i;
            if self.bit(k) & 1 != 0 || pair {
                self.check(hay, lo, hi, follow_hi, i, k, pair, pending, &mut f);
            }
            if pair {
                pair_at = self.next_pair(hay, i + 1, hi);
            }
            i += 1;
        }
        while let Some(o) = pending.pop() {
            f(o);
        }
    }

    /// The exact check at position `i` (gram `k`; `pair`: also two-byte keywords): queues
    /// the occurrences it finds, after reporting every pending one no later hit can precede.
    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn check(
        &self,
        hay: &[u8],
        lo: usize,
        hi: usize,
        follow_hi: usize,
        i: usize,
        k: u32,
        pair: bool,
        pending: &mut Vec<Occurrence>,
        f: &mut impl FnMut(Occurrence),
    ) {
        let mut released = false;
        for e in self.gram_entries(k) {
            let Some(start) = i.checked_sub(e.offset as usize) else {
                continue;
            };
            let end = start + e.len as usize;
            if start < lo || end > hi || !self.keyword_at(hay, start, e) {
                continue;
            }
            self.queue(
                hay,
                follow_hi,
                i,
                start,
                end,
                e.pattern,
                &mut released,
                pending,
                f,
            );
        }
        if pair {
            for &pattern in self.pair_patterns.iter() {
                let kw = &self.keywords[pattern as usize];
                let end = i + kw.len();
                let case = &self.case_bits[pattern as usize];
                if i < lo || end > hi || !eq_folded(&hay[i..end], kw, case) {
                    continue;
                }
                self.queue(
                    hay,
                    follow_hi,
                    i,
                    i,
                    end,
                    pattern,
                    &mut released,
                    pending,
                    f,
                );
            }
        }
    }

    /// Whether entry `e`'s keyword is at `hay[start..]` (which holds its length): its first 8
    /// bytes from the entry, the rest in place.
    #[inline(always)]
    fn keyword_at(&self, hay: &[u8], start: usize, e: &Entry) -> bool {
        let Some(word) = hay.get(start..start + 8) else {
            // Near the end of the buffer: compare byte by byte.
            let p = e.pattern as usize;
            let end = start + e.len as usize;
            return eq_folded(&hay[start..end], &self.keywords[p], &self.case_bits[p]);
        };
        let n = usize::from(e.len).min(8);
        let bytes = u64::MAX >> (8 * (8 - n));
        let w = u64::from_le_bytes(word.try_into().unwrap_or([0; 8]));
        if (w | e.head_case) & bytes != e.head {
            return false;
        }
        if e.len <= 8 {
            return true;
        }
        let p = e.pattern as usize;
        let end = start + e.len as usize;
        eq_folded(
            &hay[start + 8..end],
            &self.keywords[p][8..],
            &self.case_bits[p][8..],
        )
    }

    /// Whether a rule of keyword `pattern`, ending at `end`, can match on from there: the
    /// range ends there (`hi`; what follows is unknown), or a byte of its `follow` set does.
    #[inline(always)]
    fn may_continue(&self, hay: &[u8], hi: usize, end: usize, pattern: u32) -> bool {
        end >= hi || contains(&self.follow[pattern as usize], hay[end])
    }

    /// Queues the occurrence of `pattern` at `start..end`, found by the check at `i`, unless
    /// the byte after it cannot continue a match; before the first one from this check,
    /// reports every pending occurrence no later hit can precede.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn queue(
        &self,
        hay: &[u8],
        hi: usize,
        i: usize,
        start: usize,
        end: usize,
        pattern: u32,
        released: &mut bool,
        pending: &mut Vec<Occurrence>,
        f: &mut impl FnMut(Occurrence),
    ) {
        if !self.may_continue(hay, hi, end, pattern) {
            return;
        }
        if !*released {
            // Occurrences from this hit and later ones end at `i + min_tail` or later.
            let bound = i + self.min_tail;
            while pending.last().is_some_and(|o| o.end < bound) {
                f(pending.pop().unwrap_or_else(|| unreachable!()));
            }
            *released = true;
        }
        let o = Occurrence {
            end,
            start,
            pattern,
        };
        let at = pending.partition_point(|q| q > &o);
        pending.insert(at, o);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, MatchKind};

    fn reference(keywords: &[String], hay: &[u8], lo: usize, hi: usize) -> Vec<Occurrence> {
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(keywords)
            .unwrap();
        let input = aho_corasick::Input::new(&hay[..hi]).span(lo..hi);
        ac.find_overlapping_iter(input)
            .map(|m| Occurrence {
                end: m.end(),
                start: m.start(),
                pattern: m.pattern().as_u32(),
            })
            .collect()
    }

    fn default_keywords() -> Vec<String> {
        let mut k: Vec<String> = crate::builtin::default_rules()
            .iter()
            .flat_map(|r| r.keywords.iter().map(|k| k.to_ascii_lowercase()))
            .collect();
        k.sort();
        k.dedup();
        k
    }

    fn ours(pf: &Prefilter, hay: &[u8], lo: usize, hi: usize) -> Vec<Occurrence> {
        let mut out = Vec::new();
        let mut scratch = pf.new_scratch();
        pf.for_each(hay, lo, hi, &mut scratch, |o| out.push(o));
        out
    }

    /// Deterministic pseudo-random bytes, dense in keyword fragments.
    fn haystack(seed: u64, len: usize, keywords: &[String]) -> Vec<u8> {
        let mut x = seed | 1;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut out = Vec::with_capacity(len + 64);
        while out.len() < len {
            let r = next();
            match r % 4 {
                0 => {
                    let k = keywords[(r >> 8) as usize % keywords.len()].as_bytes();
                    // Sometimes upper case, sometimes cut short.
                    let n = if r & 0x10000 != 0 {
                        k.len()
                    } else {
                        (r >> 20) as usize % (k.len() + 1)
                    };
                    for &b in &k[..n] {
                        out.push(if r & 0x20000 != 0 {
                            b.to_ascii_uppercase()
                        } else {
                            b
                        });
                    }
                }
                1 => out.push(b"@_-.:'\"\0\xff"[(r >> 8) as usize % 9]),
                _ => out.push(b"abcdefghijklmnopqrstuvwxyz0123456789"[(r >> 8) as usize % 36]),
            }
        }
        out
    }

    /// Occurrences of keywords with a `follow` set are reported only before one of its bytes
    /// (or at the end of the range); the rest as Aho-Corasick finds them.
    #[test]
    fn follow_bytes_drop_occurrences_no_rule_can_use() {
        let keywords: Vec<String> = ["mti", "ndi", "eyj", "token", "ok"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut follow = vec![ANY_BYTE; keywords.len()];
        for (i, bytes) in [(0, &b"wxyz012"[..]), (1, &b"A"[..])] {
            follow[i] = [0; 4];
            for &b in bytes {
                follow[i][usize::from(b / 64)] |= 1 << (b % 64);
            }
        }
        let pf = Prefilter::new(&keywords, &follow);
        for seed in 0..40u64 {
            let mut hay = haystack(seed * 31 + 7, 3000, &keywords);
            hay.extend_from_slice(b"MTIw ndiA ndia mti");
            for (lo, hi) in [(0, hay.len()), (3, hay.len() - 2), (17, 2011)] {
                let expected: Vec<Occurrence> = reference(&keywords, &hay, lo, hi)
                    .into_iter()
                    .filter(|o| o.end == hi || contains(&follow[o.pattern as usize], hay[o.end]))
                    .collect();
                assert_eq!(
                    ours(&pf, &hay, lo, hi),
                    expected,
                    "seed {seed} span {lo}..{hi}"
                );
            }
        }
    }

    /// Ranges of several blocks, alternating stretches dense in keywords with plain words:
    /// blocks after a dense one are searched by the automaton, blocks after a plain one by the
    /// gram filter, and together they report what one Aho-Corasick search does, `follow`
    /// applied, block boundaries anywhere in the range.
    #[test]
    fn dense_blocks_report_the_same_occurrences() {
        let keywords = default_keywords();
        let mut follow = vec![ANY_BYTE; keywords.len()];
        for (i, f) in follow.iter_mut().enumerate().filter(|(i, _)| i % 5 == 0) {
            // Some keywords count only before a digit or `=`.
            *f = [0; 4];
            for b in b"0123456789=".iter().chain(&[i as u8]) {
                f[usize::from(b / 64)] |= 1 << (b % 64);
            }
        }
        let pf = Prefilter::new(&keywords, &follow);
        let plain = b"the quick brown fox jumps over the lazy dog while logs roll by. ";
        for seed in 0..4u64 {
            let mut hay = Vec::new();
            for part in 0..5u64 {
                if part % 2 == 0 {
                    hay.extend(haystack(seed * 131 + part, 2 * BLOCK + 777, &keywords));
                } else {
                    hay.extend(plain.iter().cycle().take(BLOCK + 333));
                }
            }
            let n = hay.len();
            for (lo, hi) in [(0, n), (13, n - 5), (BLOCK - 3, 2 * BLOCK + 500)] {
                let expected: Vec<Occurrence> = reference(&keywords, &hay, lo, hi)
                    .into_iter()
                    .filter(|o| o.end == hi || contains(&follow[o.pattern as usize], hay[o.end]))
                    .collect();
                let mut scratch = pf.new_scratch();
                let mut got = Vec::new();
                pf.for_each(&hay, lo, hi, &mut scratch, |o| got.push(o));
                assert_eq!(got.len(), expected.len(), "seed {seed} span {lo}..{hi}");
                assert!(got == expected, "seed {seed} span {lo}..{hi}");
                // Each range ends in a dense stretch: the automaton searched its last block.
                assert!(scratch.dense, "seed {seed} span {lo}..{hi}");
            }
        }
    }

    #[test]
    fn same_occurrences_in_same_order_as_aho_corasick() {
        let sets: Vec<Vec<String>> = vec![
            default_keywords(),
            // More than three first bytes of two-byte keywords: every position is checked.
            ["@o", "ab", "abc", "bcd", "abcd", "xy", "zq"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            ["key", "api_key", "apikey", "token", "tok", "oke", "ok"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        ];
        for (si, keywords) in sets.iter().enumerate() {
            let pf = Prefilter::new(keywords, &[]);
            for seed in 0..40u64 {
                let hay = haystack(seed * 7919 + si as u64, 3000, keywords);
                for (lo, hi) in [
                    (0, hay.len()),
                    (1, hay.len() - 1),
                    (17, 2011),
                    (5, 9),
                    (0, 2),
                    (100, 100),
                ] {
                    assert_eq!(
                        ours(&pf, &hay, lo, hi),
                        reference(keywords, &hay, lo, hi),
                        "set {si} seed {seed} span {lo}..{hi}"
                    );
                }
            }
        }
    }
}
