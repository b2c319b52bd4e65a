//! EAN-13, the barcode printed on a book's back cover from its ISBN-13
//! (ISO/IEC 15420). Input: an ISBN (10 or 13 digits, hyphens allowed);
//! output: the 95 modules of the symbol, and its bars as runs of modules,
//! which the cover's template draws as rectangles (vectors, no image).
//!
//! The symbol: a start guard `101`, six digits in sets A or B (which of
//! the two encodes the first digit, which is not drawn as bars), a centre
//! guard `01010`, six digits in set C, an end guard `101`. Each digit is 7
//! modules, two bars and two spaces. Set A has an odd number of dark
//! modules, set C is A inverted, set B is C reversed.

/// Set A (odd parity), digits 0–9.
const SET_A: [&str; 10] = [
    "0001101", "0011001", "0010011", "0111101", "0100011", "0110001", "0101111", "0111011",
    "0110111", "0001011",
];

/// For each first digit, which set each of the six left digits uses.
const FIRST_DIGIT: [&str; 10] = [
    "AAAAAA", "AABABB", "AABBAB", "AABBBA", "ABAABB", "ABBAAB", "ABBBAA", "ABABAB", "ABABBA",
    "ABBABA",
];

/// One digit in a set: A as the table, C inverted, B inverted and reversed.
fn digit_modules(digit: usize, set: char) -> Vec<bool> {
    let a: Vec<bool> = SET_A[digit].bytes().map(|b| b == b'1').collect();
    match set {
        'A' => a,
        'C' => a.iter().map(|m| !m).collect(),
        _ => a.iter().rev().map(|m| !m).collect(),
    }
}

/// The check digit of twelve digits: weights 1 and 3 alternating.
pub fn check_digit(twelve: &str) -> u32 {
    let sum: u32 = twelve
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    (10 - sum % 10) % 10
}

/// The 95 modules of the symbol (true: dark), or `None` unless `ean` is
/// 13 digits with a right check digit.
pub fn modules(ean: &str) -> Option<Vec<bool>> {
    if ean.len() != 13 || !ean.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<usize> = ean.bytes().map(|b| usize::from(b - b'0')).collect();
    if check_digit(&ean[..12]) as usize != digits[12] {
        return None;
    }
    let bits = |s: &str| s.bytes().map(|b| b == b'1').collect::<Vec<_>>();
    let mut out = bits("101");
    for (digit, set) in digits[1..7].iter().zip(FIRST_DIGIT[digits[0]].chars()) {
        out.extend(digit_modules(*digit, set));
    }
    out.extend(bits("01010"));
    for digit in &digits[7..] {
        out.extend(digit_modules(*digit, 'C'));
    }
    out.extend(bits("101"));
    Some(out)
}

/// A bar: its first module, its width in modules, and whether it belongs
/// to a guard (guards are drawn longer, down between the digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    /// The first module (0–94).
    pub start: usize,
    /// Its width, in modules (1–4).
    pub width: usize,
    /// Part of the start, centre or end guard.
    pub guard: bool,
}

/// The dark runs of `modules`.
pub fn bars(modules: &[bool]) -> Vec<Bar> {
    let guard = |i: usize| i < 3 || (45..50).contains(&i) || i >= 92;
    let mut out = Vec::new();
    let mut i = 0;
    while i < modules.len() {
        if modules[i] {
            let start = i;
            while i < modules.len() && modules[i] {
                i += 1;
            }
            out.push(Bar {
                start,
                width: i - start,
                guard: guard(start),
            });
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads a symbol back: the inverse of [`modules`], written from the
    /// standard's rules (parity, not the tables' order) so that a wrong
    /// table entry shows.
    fn decode(modules: &[bool]) -> String {
        let a: Vec<Vec<bool>> = (0..10).map(|d| digit_modules(d, 'A')).collect();
        let b: Vec<Vec<bool>> = (0..10).map(|d| digit_modules(d, 'B')).collect();
        let c: Vec<Vec<bool>> = (0..10).map(|d| digit_modules(d, 'C')).collect();
        let mut sets = String::new();
        let mut digits = String::new();
        for k in 0..6 {
            let group = &modules[3 + 7 * k..10 + 7 * k];
            // Set A has an odd count of dark modules, set B an even one.
            let odd = group.iter().filter(|m| **m).count() % 2 == 1;
            let table = if odd { &a } else { &b };
            let d = table.iter().position(|g| g == group).expect("a digit");
            sets.push(if odd { 'A' } else { 'B' });
            digits.push(char::from(b'0' + d as u8));
        }
        for k in 0..6 {
            let group = &modules[50 + 7 * k..57 + 7 * k];
            let d = c.iter().position(|g| g == group).expect("a digit");
            digits.push(char::from(b'0' + d as u8));
        }
        let first = FIRST_DIGIT.iter().position(|p| *p == sets).expect("parity");
        format!("{first}{digits}")
    }

    #[test]
    fn every_digit_is_two_bars_and_two_spaces_with_the_parity_of_its_set() {
        for d in 0..10 {
            for (set, odd) in [('A', true), ('B', false), ('C', false)] {
                let m = digit_modules(d, set);
                assert_eq!(m.len(), 7);
                let dark = m.iter().filter(|x| **x).count();
                assert_eq!(dark % 2 == 1, odd, "{d} in {set}");
                let runs = 1 + m.windows(2).filter(|w| w[0] != w[1]).count();
                assert_eq!(runs, 4, "{d} in {set}: {m:?}");
                // Left digits start with a space, right digits with a bar.
                assert_eq!(m[0], set == 'C', "{d} in {set}");
            }
        }
        // Every digit of a set is distinct.
        for set in ['A', 'B', 'C'] {
            let all: std::collections::HashSet<Vec<bool>> =
                (0..10).map(|d| digit_modules(d, set)).collect();
            assert_eq!(all.len(), 10);
        }
    }

    #[test]
    fn known_codes_encode_and_read_back() {
        // The ISBN of book.toml's sample, the ISBN Wikipedia uses for its
        // EAN-13 example, and a code starting with each first digit.
        for ean in [
            "9780306406157",
            "9783161484100",
            "4006381333931",
            "5901234123457",
            "0012345678905",
            "8711253001202",
        ] {
            let m = modules(ean).unwrap_or_else(|| panic!("{ean} refused"));
            assert_eq!(m.len(), 95);
            assert_eq!(&m[..3], &[true, false, true]);
            assert_eq!(&m[45..50], &[false, true, false, true, false]);
            assert_eq!(&m[92..], &[true, false, true]);
            assert_eq!(decode(&m), ean);
        }
        // 5901234123457, drawn in the standard's own example, left half:
        // first digit 5 makes sets A B B A A B.
        let m = modules("5901234123457").unwrap();
        let left: String = m[3..45]
            .iter()
            .map(|b| if *b { '1' } else { '0' })
            .collect();
        assert_eq!(
            left,
            "0001011\
             0100111\
             0110011\
             0010011\
             0111101\
             0011101"
        );
    }

    #[test]
    fn isbns_become_eans_and_bad_digits_are_refused() {
        assert_eq!(
            crate::config::isbn13("0-306-40615-2").as_deref(),
            Some("9780306406157")
        );
        assert!(modules("9780306406158").is_none(), "wrong check digit");
        assert!(modules("978030640615").is_none(), "twelve digits");
        let b = bars(&modules("9780306406157").unwrap());
        // Two bars per digit (twelve drawn) and two per guard (three).
        assert_eq!(b.len(), 12 * 2 + 3 * 2);
        assert_eq!(b.iter().filter(|b| b.guard).count(), 6);
        assert_eq!(b.iter().map(|b| b.width).max(), Some(4));
    }
}
