//! Small text helpers that several stages share; this module imports no
//! other module of the crate, so every stage may depend on it.

/// The longest prefix of `text` of at most `max` bytes that ends on a character boundary.
pub fn prefix_at_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefix_never_splits_a_character() {
        assert_eq!(prefix_at_char_boundary("abc", 10), "abc");
        assert_eq!(prefix_at_char_boundary("aé", 2), "a");
        assert_eq!(prefix_at_char_boundary("aé", 3), "aé");
    }
}
