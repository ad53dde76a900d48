//! Redirect targets that come from outside (a login's `next`, a Referer): only ever a path of
//! this site, in a form every browser reads as one.

/// `target` if it is a path of this site, else `None`. Refused: anything not starting with one
/// `/` (other schemes, hosts), `//` and `/\` (which browsers read as another host), and control
/// characters or spaces, which browsers strip (`/<TAB>/evil.example` becomes `//evil.example`)
/// and which cannot be written in a `Location` header at all.
pub fn local_path(target: &str) -> Option<&str> {
    let rest = target.strip_prefix('/')?;
    if rest.starts_with(['/', '\\']) || target.chars().any(|c| c.is_control() || c == ' ') {
        return None;
    }
    Some(target)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for ok in [
            "/",
            "/people?page=2",
            "/search?q=%E5%AD%A6",
            "/%2F%2Fevil.example",
            "/搜索",
        ] {
            assert_eq!(local_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "//evil.example",
            "///evil.example",
            "https://evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            " /x",
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\r\nSet-Cookie: a=b",
            "/x\u{7f}",
            "/x y",
        ] {
            assert_eq!(local_path(bad), None, "{}", bad.escape_debug());
        }
    }
}
