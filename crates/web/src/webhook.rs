//! Alert webhooks: a unit posts its 舆情 alerts to its own messaging bridge.
//!
//! The address is typed by a unit administrator, so the server must not become their probe
//! into the machine it runs on or the network behind it (SSRF). An address is checked when it
//! is saved and again when it is called:
//! - plain `http://` only (bridges sit on the intranet; this build carries no TLS), no user
//!   name or password, and no control characters or white space, raw or percent-encoded;
//! - every address the host name resolves to must be public, unless the operator allow-lists
//!   it (`shoutu serve --webhook-allow CIDR`): loopback, private, link-local, CGNAT,
//!   unspecified, multicast and broadcast addresses are refused, IPv4-mapped IPv6 included;
//! - the request goes to the address that was checked (no second lookup a DNS rebinding
//!   could answer differently), follows no redirect, ignores proxy settings, gives up after
//!   five seconds and reads at most a few kilobytes of the answer.

pub use ipnet::IpNet;
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// How long a bridge may take to answer (connect, send, first bytes of the answer).
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The most of a bridge's answer that is read; the rest is dropped.
const MAX_ANSWER_BYTES: usize = 16 * 1024;

/// A `--webhook-allow` value: `10.0.0.0/8`, `fd00::/8`, or a single address.
pub fn parse_allow(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("「{raw}」不是有效的网段：应为 CIDR，例如 10.0.0.0/8、127.0.0.1/32 或 fd00::/8"))
}

/// A webhook address that passed every check, with the socket addresses to call.
#[derive(Debug, Clone)]
pub struct Checked {
    pub url: Url,
    pub addrs: Vec<SocketAddr>,
}

/// Checks an address as typed (see the module documentation); the error is a Chinese
/// sentence for the form.
pub async fn check(raw: &str, allow: &[IpNet]) -> Result<Checked, String> {
    let url = check_syntax(raw)?;
    let host = url.host().ok_or_else(|| "推送地址缺少主机名".to_string())?;
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs: Vec<SocketAddr> = match host {
        url::Host::Ipv4(ip) => vec![SocketAddr::new(ip.into(), port)],
        url::Host::Ipv6(ip) => vec![SocketAddr::new(ip.into(), port)],
        url::Host::Domain(name) => {
            let lookup = tokio::net::lookup_host((name, port));
            match tokio::time::timeout(TIMEOUT, lookup).await {
                Ok(Ok(found)) => found.collect(),
                Ok(Err(_)) | Err(_) => return Err(format!("推送地址的主机名「{name}」无法解析")),
            }
        }
    };
    if addrs.is_empty() {
        return Err(format!("推送地址的主机名「{host}」无法解析"));
    }
    if let Some(bad) = addrs.iter().find(|a| !permitted(a.ip(), allow)) {
        return Err(format!(
            "推送地址不能指向本机、内网或链路本地地址：{}（{}）。如确需推送到内网消息系统，请系统运维人员在服务器配置中放行该网段（--webhook-allow）",
            url.as_str(),
            bad.ip()
        ));
    }
    Ok(Checked { url, addrs })
}

/// The checks that need no name lookup.
fn check_syntax(raw: &str) -> Result<Url, String> {
    if let Some(c) = raw.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!(
            "推送地址含有控制字符或空白（U+{:04X}），请删除后重新填写",
            c as u32
        ));
    }
    if let Some(byte) = encoded_control(raw) {
        return Err(format!("推送地址含有编码后的控制字符（%{byte:02X}），请删除后重新填写"));
    }
    let url = Url::parse(raw)
        .map_err(|_| format!("推送地址「{raw}」不是有效的网址，例如 http://bridge.example:8000/hook"))?;
    match url.scheme() {
        "http" => {}
        "https" => return Err("推送地址暂只支持 http://（本系统向内网消息系统推送，不含 HTTPS）".to_string()),
        other => return Err(format!("推送地址应以 http:// 开头，不支持「{other}:」")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("推送地址不能包含用户名或密码".to_string());
    }
    if url.host().is_none() {
        return Err("推送地址缺少主机名".to_string());
    }
    Ok(url)
}

/// The first percent-encoded control byte (`%0d`, `%0A`, `%00`, `%7f` …), if any.
fn encoded_control(raw: &str) -> Option<u8> {
    let bytes = raw.as_bytes();
    bytes.windows(3).find_map(|w| {
        if w[0] != b'%' {
            return None;
        }
        let hex = std::str::from_utf8(&w[1..]).ok()?;
        let byte = u8::from_str_radix(hex, 16).ok()?;
        (byte < 0x20 || byte == 0x7f).then_some(byte)
    })
}

/// Whether the server may call this address: public, or allow-listed by the operator.
pub fn permitted(ip: IpAddr, allow: &[IpNet]) -> bool {
    let embedded = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4),
        IpAddr::V4(_) => None,
    };
    let allowed = |ip: IpAddr| allow.iter().any(|net| net.contains(&ip));
    if allowed(ip) || embedded.is_some_and(allowed) {
        return true;
    }
    !(internal(ip) || embedded.is_some_and(internal))
}

/// Loopback, private, link-local, CGNAT, unspecified, multicast, broadcast and the like.
fn internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0 // "this network"
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 198 && (b == 18 || b == 19)) // benchmarking 198.18.0.0/15
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        // NAT64 64:ff9b::/96 and IPv4-compatible ::a.b.c.d carry an IPv4 address
        || (ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
            && internal_v4(Ipv4Addr::from_bits(ip.to_bits() as u32)))
        || (ip.segments()[..6] == [0; 6] && internal_v4(Ipv4Addr::from_bits(ip.to_bits() as u32)))
}

/// Posts one alert to its checked address. The error is for the log.
pub async fn post_json(raw: &str, payload: &serde_json::Value, allow: &[IpNet]) -> Result<(), String> {
    let checked = check(raw, allow).await?;
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT);
    if let Some(url::Host::Domain(name)) = checked.url.host() {
        // Call the addresses just checked, not whatever a second lookup would answer.
        builder = builder.resolve_to_addrs(name, &checked.addrs);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let mut answer = client
        .post(checked.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = answer.status();
    let mut read = 0;
    while read < MAX_ANSWER_BYTES {
        match answer.chunk().await {
            Ok(Some(chunk)) => read += chunk.len(),
            Ok(None) | Err(_) => break,
        }
    }
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the bridge answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_refused_unless_allow_listed() {
        for bad in [
            "127.0.0.1",
            "127.8.9.10",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(!permitted(ip(bad), &[]), "{bad}");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2001:db8::1",
            "2606:4700::1111",
        ] {
            assert!(permitted(ip(good), &[]), "{good}");
        }
        let allow = [parse_allow("127.0.0.0/8").unwrap(), parse_allow("10.1.2.3").unwrap()];
        assert!(permitted(ip("127.0.0.1"), &allow));
        assert!(permitted(ip("::ffff:127.0.0.1"), &allow));
        assert!(permitted(ip("10.1.2.3"), &allow));
        assert!(!permitted(ip("10.1.2.4"), &allow));
        assert!(!permitted(ip("169.254.169.254"), &allow));
        assert!(parse_allow("10.0.0.0/33").is_err());
        assert!(parse_allow("intranet").unwrap_err().contains("不是有效的网段"));
    }

    #[tokio::test]
    async fn addresses_are_checked_before_any_lookup_or_call() {
        for (raw, expected) in [
            ("http://127.0.0.1:6379/", "不能指向本机、内网或链路本地地址"),
            (
                "http://169.254.169.254/latest/meta-data/",
                "不能指向本机、内网或链路本地地址",
            ),
            ("http://[::1]/", "不能指向本机、内网或链路本地地址"),
            ("http://10.0.0.1/", "不能指向本机、内网或链路本地地址"),
            ("http://0x7f000001/", "不能指向本机、内网或链路本地地址"),
            ("http://2130706433/", "不能指向本机、内网或链路本地地址"),
            ("http://[::ffff:7f00:1]/", "不能指向本机、内网或链路本地地址"),
            (
                "http://bridge.example/hook%0d%0aX-Injected:%201",
                "编码后的控制字符（%0D）",
            ),
            ("http://bridge.example/hook\r\nX-Injected: 1", "控制字符或空白"),
            ("http://bridge.example/a b", "控制字符或空白"),
            ("ftp://bridge.example/", "不支持「ftp:」"),
            ("gopher://127.0.0.1:6379/_INFO", "不支持「gopher:」"),
            ("https://bridge.example/", "暂只支持 http://"),
            ("http://user:pw@bridge.example/", "不能包含用户名或密码"),
            ("not a url", "控制字符或空白"),
            ("bridge", "不是有效的网址"),
        ] {
            let err = check(raw, &[]).await.unwrap_err();
            assert!(err.contains(expected), "{raw}: {err}");
        }
        let ok = check("http://127.0.0.1:8000/hook", &[parse_allow("127.0.0.0/8").unwrap()])
            .await
            .unwrap();
        assert_eq!(ok.addrs, vec!["127.0.0.1:8000".parse().unwrap()]);
    }
}
