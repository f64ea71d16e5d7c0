//! Who a request is from, as an address: the connection's peer, or behind a trusted front
//! (`--trusted-proxy`) the client that front names in `X-Forwarded-For`.
//!
//! Rate limits, failed sign-in limits and logs key on this address. Behind nginx every
//! connection comes from nginx, so keying on the peer would give the whole team one rate
//! limit, and one attacker's failed sign-ins would lock everyone out. `X-Forwarded-For` is
//! believed only on connections from a trusted proxy, and only as far as trusted proxies
//! wrote it: the client is the right-most address in it that is not a trusted proxy's
//! (everything left of that was written by the client, who may write anything).

use std::convert::Infallible;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ipnet::{IpNet, Ipv4Net};

use crate::errors::{Error, ErrorKind, Result};

/// The header a front names the client's address in.
pub const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The addresses of the fronts (reverse proxies) this server believes: `--trusted-proxy`.
///
/// Never everything: a range covering every IPv4 or every IPv6 address would let anyone
/// name any user and choose their own address for the limits, so [`TrustedProxies::parse`]
/// refuses it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// No front is trusted: the client is always the connection's peer.
    pub fn none() -> Self {
        TrustedProxies::default()
    }

    /// Parses `--trusted-proxy` values: addresses or networks (`127.0.0.1`, `10.0.0.0/24`,
    /// `fd00::/8`). Refuses what is not one, and ranges that together cover every
    /// address of a family.
    pub fn parse<S: AsRef<str>>(texts: &[S]) -> Result<Self> {
        let nets = texts
            .iter()
            .map(|text| parse_net(text.as_ref()))
            .collect::<Result<Vec<_>>>()?;
        if let Some(everything) = IpNet::aggregate(&nets)
            .into_iter()
            .find(|net| net.prefix_len() == 0)
        {
            let given: Vec<&str> = texts.iter().map(AsRef::as_ref).collect();
            return Err(Error::new(
                ErrorKind::Config,
                format!(
                    "--trusted-proxy {} covers every {} address ({everything}): anyone could then \
                     name any user in the user header and choose their own address for the \
                     limits. Give the front's own address: 127.0.0.1 (or ::1) when it runs on \
                     this host, else its address or its private network, such as 10.0.0.5 or \
                     10.0.0.0/24",
                    given.join(","),
                    if everything.addr().is_ipv4() {
                        "IPv4"
                    } else {
                        "IPv6"
                    }
                ),
            ));
        }
        Ok(TrustedProxies { nets })
    }

    /// The networks, as parsed (IPv4-mapped IPv6 networks as IPv4).
    pub fn nets(&self) -> &[IpNet] {
        &self.nets
    }

    /// Whether no front is trusted.
    pub fn is_empty(&self) -> bool {
        self.nets.is_empty()
    }

    /// Whether `address` is a trusted front's.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = unmapped(address);
        self.nets.iter().any(|net| net.contains(&address))
    }

    /// The client of a connection from `peer` carrying `headers`: `peer` itself unless it
    /// is a trusted front, else the right-most address of `X-Forwarded-For` (all of its
    /// lines, in order) that is not a trusted front's. When every address there is a
    /// trusted front's, the left-most; when one is not an address, the last good one
    /// before it (a trusted front wrote everything right of it).
    pub fn client_of(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = unmapped(peer);
        if !self.contains(peer) {
            return peer;
        }
        let mut client = peer;
        let values = headers.get_all(X_FORWARDED_FOR).iter().rev();
        for value in values {
            let Ok(text) = value.to_str() else {
                return client;
            };
            for entry in text.rsplit(',') {
                let Some(address) = parse_forwarded_address(entry) else {
                    return client;
                };
                client = address;
                if !self.contains(address) {
                    return client;
                }
            }
        }
        client
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nets: Vec<String> = self.nets.iter().map(ToString::to_string).collect();
        f.write_str(&nets.join(","))
    }
}

/// An address or network; IPv4-mapped IPv6 networks (`::ffff:10.0.0.0/120`) become the
/// IPv4 networks they stand for, since addresses are compared unmapped.
fn parse_net(text: &str) -> Result<IpNet> {
    let text = text.trim();
    let net = text
        .parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| {
            Error::new(
                ErrorKind::Config,
                format!(
                    "--trusted-proxy {text:?} is not an address or a network such as 10.0.0.0/24"
                ),
            )
        })?;
    Ok(match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.addr().to_ipv4_mapped() {
            Some(v4) => Ipv4Net::new(v4, v6.prefix_len() - 96)
                .map(IpNet::V4)
                .unwrap_or(net),
            None => net,
        },
        _ => net,
    })
}

/// One entry of `X-Forwarded-For`: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`), as some fronts write it.
fn parse_forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    entry
        .parse::<IpAddr>()
        .or_else(|_| entry.parse::<SocketAddr>().map(|socket| socket.ip()))
        .ok()
        .map(unmapped)
}

/// `::ffff:a.b.c.d` as `a.b.c.d`: a dual-stack listener sees IPv4 clients so.
fn unmapped(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The client's address (see the module documentation), as an extractor. The
/// [`resolve_client`] layer puts it in the request; without that layer (or connection
/// info) it is the connection's peer, or `0.0.0.0` when there is none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The client of `request`, as [`FromRequestParts`] finds it.
    pub fn of(request: &Request) -> IpAddr {
        ClientAddr::in_extensions(request.extensions())
    }

    /// The client of a request with `extensions`, as [`FromRequestParts`] finds it.
    pub fn in_extensions(extensions: &axum::http::Extensions) -> IpAddr {
        extensions
            .get::<ClientAddr>()
            .map(|client| client.0)
            .unwrap_or_else(|| peer_of(extensions))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<ClientAddr>()
            .copied()
            .unwrap_or_else(|| ClientAddr(peer_of(&parts.extensions))))
    }
}

/// The connection's peer address (`0.0.0.0` without connection info).
pub fn peer_of(extensions: &axum::http::Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| unmapped(info.0.ip()))
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The layer's function (`axum::middleware::map_request_with_state`): finds the request's
/// [`ClientAddr`] once, for the limits, the handlers and the log.
pub async fn resolve_client(
    State(trusted): State<Arc<TrustedProxies>>,
    mut request: Request,
) -> Request {
    let peer = peer_of(request.extensions());
    let client = if trusted.is_empty() {
        peer
    } else {
        trusted.client_of(peer, request.headers())
    };
    request.extensions_mut().insert(ClientAddr(client));
    request
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn trusted(nets: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(nets).expect("valid")
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_from_a_trusted_front() {
        let fronts = trusted(&["127.0.0.1", "10.0.0.0/24"]);
        let headers = forwarded(&["198.51.100.7"]);
        assert_eq!(
            fronts.client_of(ip("127.0.0.1"), &headers),
            ip("198.51.100.7")
        );
        assert_eq!(
            fronts.client_of(ip("::ffff:127.0.0.1"), &headers),
            ip("198.51.100.7"),
            "a dual-stack listener's mapped address"
        );
        // Anyone else: the header is the sender's own claim.
        assert_eq!(fronts.client_of(ip("192.0.2.9"), &headers), ip("192.0.2.9"));
        assert_eq!(
            TrustedProxies::none().client_of(ip("127.0.0.1"), &headers),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn the_right_most_untrusted_address_is_the_client() {
        let fronts = trusted(&["127.0.0.1", "10.0.0.0/24"]);
        let front = ip("127.0.0.1");
        // The client wrote "1.2.3.4" itself; nginx appended its real address.
        let spoofed = forwarded(&["1.2.3.4, 203.0.113.5"]);
        assert_eq!(fronts.client_of(front, &spoofed), ip("203.0.113.5"));
        // Two fronts in a row (a load balancer, then nginx), over two header lines.
        let chain = forwarded(&["1.2.3.4, 203.0.113.5", "10.0.0.3"]);
        assert_eq!(fronts.client_of(front, &chain), ip("203.0.113.5"));
        // Only fronts: the left-most. None at all: the front itself.
        let only_fronts = forwarded(&["10.0.0.8, 10.0.0.3"]);
        assert_eq!(fronts.client_of(front, &only_fronts), ip("10.0.0.8"));
        assert_eq!(fronts.client_of(front, &HeaderMap::new()), front);
        // Garbage left of a front's entry stops the walk at that front's entry.
        let garbage = forwarded(&["1.2.3.4, not-an-address, 10.0.0.3"]);
        assert_eq!(fronts.client_of(front, &garbage), ip("10.0.0.3"));
        let ports = forwarded(&["[2001:db8::1]:4711", "198.51.100.2:80"]);
        assert_eq!(fronts.client_of(front, &ports), ip("198.51.100.2"));
        assert_eq!(
            fronts.client_of(front, &forwarded(&["2001:db8::1"])),
            ip("2001:db8::1")
        );
    }

    #[test]
    fn ranges_covering_everything_are_refused() {
        for nets in [
            &["0.0.0.0/0"][..],
            &["::/0"],
            &["10.0.0.5", "0.0.0.0/1", "128.0.0.0/1"],
            &["::ffff:0.0.0.0/96"],
        ] {
            let error = TrustedProxies::parse(nets).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::Config, "{nets:?}");
            assert!(
                error.message().contains("covers every"),
                "{}",
                error.message()
            );
            assert!(error.message().contains("127.0.0.1"), "{}", error.message());
        }
        assert!(TrustedProxies::parse(&["10.0.0.0/33"]).is_err());
        assert!(TrustedProxies::parse(&["fronts"]).is_err());
        let mapped = trusted(&["::ffff:10.0.0.0/120"]);
        assert!(mapped.contains(ip("10.0.0.9")));
        assert!(trusted(&["0.0.0.0/1", "::1"]).contains(ip("::1")));
    }
}
