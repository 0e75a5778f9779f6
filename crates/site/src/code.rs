//! The limits on guessing codes and passwords and on asking for codes: the rules alone, with no
//! IO and no clock (the time is passed in), so tests check them in microseconds. The store keeps
//! the counts (`crate::store`), so several site instances on one PostgreSQL apply the same
//! limits. The short code itself is `deskside_proto::site::ShortCode`.

use std::net::IpAddr;

/// A limit on failures (wrong codes, wrong passwords) or on requests (codes asked for): at most
/// `max` in any `window_s` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    /// Most events in the window.
    pub max: u32,
    /// The window, seconds.
    pub window_s: u64,
}

/// What a [`Limit`] says about one more attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allow,
    /// Refused; try again in this many seconds (at least 1).
    Wait {
        /// Seconds until the oldest event in the window leaves it.
        retry_after_s: u64,
    },
}

impl Limit {
    /// Wrong codes from one address: ten in ten minutes.
    pub const RESOLVE_PER_ADDRESS: Limit = Limit { max: 10, window_s: 600 };
    /// Wrong codes from one network (an IPv4 /24 or an IPv6 /48): fifty in ten minutes, so an
    /// attacker does not multiply their guesses by the addresses of one network.
    pub const RESOLVE_PER_NETWORK: Limit = Limit { max: 50, window_s: 600 };
    /// Wrong passwords for one account: five in fifteen minutes.
    pub const SIGN_IN_PER_ACCOUNT: Limit = Limit { max: 5, window_s: 900 };
    /// Wrong passwords from one address, whatever the account: twenty in fifteen minutes.
    pub const SIGN_IN_PER_ADDRESS: Limit = Limit { max: 20, window_s: 900 };
    /// Codes one CSR may ask for: sixty an hour (a busy queue is a code every few minutes).
    pub const CODES_PER_CSR: Limit = Limit { max: 60, window_s: 3600 };
    /// Certificates one CSR may ask for: one for every session and every invite, and then some.
    pub const CERTIFICATES_PER_CSR: Limit = Limit { max: 240, window_s: 3600 };
    /// Session reports one CSR's console may send: far more sessions than anyone runs in an
    /// hour, so a console that was offline for days catches up within a few hours.
    pub const REPORTS_PER_CSR: Limit = Limit { max: 600, window_s: 3600 };

    /// The start of the window that ends at `now_s`: events at or before it no longer count.
    #[must_use]
    pub fn since(self, now_s: u64) -> u64 {
        now_s.saturating_sub(self.window_s)
    }

    /// The verdict, given how many events fall in the window ending at `now_s` and when the
    /// oldest of them was.
    #[must_use]
    pub fn judge(self, in_window: u32, oldest_s: Option<u64>, now_s: u64) -> Verdict {
        if in_window < self.max {
            return Verdict::Allow;
        }
        let leaves = oldest_s.unwrap_or(now_s).saturating_add(self.window_s);
        Verdict::Wait { retry_after_s: leaves.saturating_sub(now_s).max(1) }
    }
}

/// The key a network's attempts are counted under: the address's /24 (IPv4) or /48 (IPv6).
#[must_use]
pub fn network_of(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return network_of(IpAddr::V4(v4));
            }
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2])
        }
    }
}

/// The key one address's attempts are counted under (an IPv4-mapped IPv6 address counts as the
/// IPv4 one).
#[must_use]
pub fn address_of(addr: IpAddr) -> String {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// The address a request comes from: the connection's, unless that is one of the site's own
/// reverse proxies (`trusted`), in which case the nearest address in `X-Forwarded-For` that is
/// not one of them (each proxy appends the address it heard from, so the entries to the left of
/// it are whatever the client wrote and are not believed). Behind a proxy not listed, every
/// request would count against the proxy's address: one guesser would lock every customer out.
#[must_use]
pub fn client_address(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |a: &IpAddr| trusted.iter().any(|t| address_of(*t) == address_of(*a));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(header) = forwarded_for else { return peer };
    for entry in header.rsplit(',').take(16) {
        match entry.trim().parse::<IpAddr>() {
            Ok(a) if is_trusted(&a) => {}
            Ok(a) => return a,
            // A malformed entry: what is left of it was not written by a proxy of ours.
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_refuses_until_the_oldest_attempt_leaves_the_window() {
        let l = Limit { max: 3, window_s: 600 };
        assert_eq!(l.judge(2, Some(100), 200), Verdict::Allow);
        assert_eq!(l.judge(3, Some(100), 200), Verdict::Wait { retry_after_s: 500 });
        assert_eq!(l.judge(3, Some(100), 700), Verdict::Wait { retry_after_s: 1 });
        assert_eq!(l.since(1_000), 400);
        assert_eq!(l.since(10), 0);
    }

    #[test]
    fn behind_the_site_s_own_proxy_the_client_is_the_nearest_untrusted_address() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("10.0.0.2")];
        // Straight from the internet: the header is the client's own words, not believed.
        assert_eq!(client_address(ip("203.0.113.7"), Some("1.2.3.4"), &proxy), ip("203.0.113.7"));
        // Through the proxy: the address it heard from, not what the client wrote before it.
        assert_eq!(client_address(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.9"), &proxy), ip("198.51.100.9"));
        assert_eq!(client_address(ip("10.0.0.2"), Some("198.51.100.9, 10.0.0.2"), &proxy), ip("198.51.100.9"));
        // The proxy sent nothing usable: its own address counts (safe, if strict).
        assert_eq!(client_address(ip("10.0.0.2"), None, &proxy), ip("10.0.0.2"));
        assert_eq!(client_address(ip("10.0.0.2"), Some("garbage"), &proxy), ip("10.0.0.2"));
        // No proxies configured: the connection's address, whatever the header says.
        assert_eq!(client_address(ip("10.0.0.2"), Some("1.2.3.4"), &[]), ip("10.0.0.2"));
    }

    #[test]
    fn networks_group_addresses() {
        let a: IpAddr = "203.0.113.7".parse().unwrap();
        let b: IpAddr = "203.0.113.200".parse().unwrap();
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(network_of(a), network_of(b));
        assert_eq!(network_of(a), network_of(mapped));
        assert_eq!(address_of(mapped), "203.0.113.9");
        let v6: IpAddr = "2001:db8:1:2::5".parse().unwrap();
        assert_eq!(network_of(v6), "2001:db8:1::/48");
    }
}
