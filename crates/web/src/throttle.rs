//! Login attempts per client address: an account locks after a few wrong passwords, but one
//! address guessing a little at many accounts would never trip that. Each address may make a
//! bounded number of unsuccessful attempts in a sliding window; a successful login gives its
//! attempt back. Kept in memory (it protects one process), bounded in size.

use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an attempt counts against its address.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);

/// Addresses tracked at most; beyond it the least recently seen are forgotten.
const MAX_ADDRESSES: usize = 10_000;

pub struct LoginThrottle {
    limit: usize,
    window: Duration,
    attempts: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

/// One bucket per IPv4 address, and per /64 for IPv6 (one subscriber's usual allocation).
fn bucket(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

impl LoginThrottle {
    /// `limit` attempts per address within `window`; 0 turns the throttle off.
    pub fn new(limit: u32, window: Duration) -> Self {
        LoginThrottle {
            limit: limit as usize,
            window,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an attempt from `addr`, or refuses it with the time until one frees up.
    pub fn try_acquire(&self, addr: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.limit == 0 {
            return Ok(());
        }
        let key = bucket(addr);
        let mut all = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        if !all.contains_key(&key) && all.len() >= MAX_ADDRESSES {
            self.make_room(&mut all, now);
        }
        let seen = all.entry(key).or_default();
        while seen.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            seen.pop_front();
        }
        if seen.len() >= self.limit {
            let oldest = *seen.front().expect("a full window has attempts");
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        seen.push_back(now);
        Ok(())
    }

    /// A successful login: its attempt no longer counts against the address.
    pub fn forgive(&self, addr: IpAddr) {
        let mut all = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        let key = bucket(addr);
        if let Some(seen) = all.get_mut(&key) {
            seen.pop_back();
            if seen.is_empty() {
                all.remove(&key);
            }
        }
    }

    /// Drops addresses whose attempts have all expired, else the one seen least recently.
    fn make_room(&self, all: &mut HashMap<IpAddr, VecDeque<Instant>>, now: Instant) {
        all.retain(|_, seen| seen.back().is_some_and(|t| now.duration_since(*t) < self.window));
        if all.len() >= MAX_ADDRESSES {
            let stalest = all.iter().min_by_key(|(_, seen)| seen.back().copied()).map(|(k, _)| *k);
            if let Some(key) = stalest {
                all.remove(&key);
            }
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.attempts.lock().unwrap().len()
    }
}

/// The address of the client: the socket's peer, or, when the operator says a proxy sits in
/// front (`--trusted-proxy`), the address that proxy appended to `X-Forwarded-For`.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if state.config.trusted_proxy {
            // Only the entry the proxy itself appended: earlier ones are whatever the client sent.
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .next_back()
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|a| a.trim().parse::<IpAddr>().ok());
            if let Some(addr) = forwarded {
                return Ok(ClientAddr(addr));
            }
        }
        Ok(ClientAddr(peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_address_gets_its_limit_per_window_and_successes_give_attempts_back() {
        let t = LoginThrottle::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            t.try_acquire(ip("10.0.0.1"), start).unwrap();
        }
        let wait = t
            .try_acquire(ip("10.0.0.1"), start + Duration::from_secs(10))
            .unwrap_err();
        assert_eq!(wait, Duration::from_secs(50));
        t.try_acquire(ip("10.0.0.2"), start)
            .expect("another address is not affected");
        t.forgive(ip("10.0.0.1"));
        t.try_acquire(ip("10.0.0.1"), start + Duration::from_secs(10)).unwrap();
        t.try_acquire(ip("10.0.0.1"), start + Duration::from_secs(60))
            .expect("the oldest attempts have left the window");
    }

    #[test]
    fn ipv6_neighbours_share_a_bucket_and_mapped_ipv4_is_ipv4() {
        let t = LoginThrottle::new(1, Duration::from_secs(60));
        let now = Instant::now();
        t.try_acquire(ip("2001:db8:1:2::1"), now).unwrap();
        assert!(t.try_acquire(ip("2001:db8:1:2::ffff"), now).is_err());
        t.try_acquire(ip("2001:db8:1:3::1"), now).unwrap();
        t.try_acquire(ip("192.0.2.7"), now).unwrap();
        assert!(t.try_acquire(ip("::ffff:192.0.2.7"), now).is_err());
    }

    #[test]
    fn the_table_stays_bounded() {
        let t = LoginThrottle::new(5, Duration::from_secs(60));
        let now = Instant::now();
        for n in 0..(MAX_ADDRESSES as u32 + 50) {
            t.try_acquire(IpAddr::V4(Ipv4Addr::from(n)), now).unwrap();
        }
        assert!(t.tracked() <= MAX_ADDRESSES);
    }

    #[test]
    fn a_limit_of_zero_turns_it_off() {
        let t = LoginThrottle::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            t.try_acquire(ip("10.0.0.1"), Instant::now()).unwrap();
        }
    }
}
