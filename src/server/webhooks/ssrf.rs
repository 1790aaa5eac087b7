//! Where webhooks may go (docs/rules.md, Webhooks rule 7; README, Commands). A webhook URL is chosen by
//! an administrator but fetched by the server, from inside the network: it
//! must not become a way to reach loopback services, the private network
//! or a cloud metadata endpoint. Checked when an endpoint is saved and
//! again at every send, on the addresses actually connected to: the HTTP
//! client resolves names through [`GuardedResolver`], which refuses a name
//! if any of its answers is not allowed (so DNS rebinding between the check
//! and the connection gains nothing). Redirects are never followed.

use ipnet::IpNet;
use reqwest::Url;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

/// `LIVREUR_WEBHOOK_ALLOWED_NETS`: private networks opened on purpose.
#[derive(Debug, Clone, Default)]
pub struct AllowedNets(Vec<IpNet>);

impl AllowedNets {
    /// Parses a comma-separated CIDR list (a bare address is a /32 or /128).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut nets = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let net = part
                .parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{part:?} is not a network such as 10.0.0.0/8"))?;
            nets.push(net.trunc());
        }
        Ok(Self(nets))
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|n| n.contains(&ip))
    }
}

/// Why a URL or an address is refused; the codes are the field error codes
/// the API and the form show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not an absolute `http(s)://host/…` URL, or it carries credentials.
    Invalid,
    /// Plain `http` to a target outside the allowed networks.
    NotHttps,
    /// Loopback, private, link-local, metadata or otherwise non-public.
    PrivateAddress,
    /// The name does not resolve (at save time).
    Unresolvable,
}

impl Refusal {
    pub const fn code(&self) -> &'static str {
        match self {
            Refusal::Invalid => "invalid_url",
            Refusal::NotHttps => "https_required",
            Refusal::PrivateAddress => "private_address",
            Refusal::Unresolvable => "unresolvable_host",
        }
    }
}

/// An IPv4 address hidden in an IPv6 one (mapped, NAT64, 6to4) is judged
/// as the IPv4 address it is.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn embedded_v4(v6: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = v6.segments();
    let o = v6.octets();
    if let Some(v4) = v6.to_ipv4_mapped() {
        return Some(v4);
    }
    // 64:ff9b::/96, NAT64.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(Ipv4Addr::new(o[12], o[13], o[14], o[15]));
    }
    // 2002::/16, 6to4: the IPv4 address is in bits 16..48.
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(o[2], o[3], o[4], o[5]));
    }
    None
}

/// True for addresses on the public Internet.
pub fn is_public(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(ip) => public_v4(ip),
        IpAddr::V6(ip) => public_v6(ip),
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                    // "this" network
        || a == 10                              // private
        || a == 127                             // loopback
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 169 && b == 254)               // link-local, cloud metadata
        || (a == 172 && (16..32).contains(&b))  // private
        || (a == 192 && b == 0 && c == 0)       // IETF protocol assignments
        || (a == 192 && b == 0 && c == 2)       // documentation
        || (a == 192 && b == 88 && c == 99)     // 6to4 relay anycast
        || (a == 192 && b == 168)               // private
        || (a == 198 && (b == 18 || b == 19))   // benchmarking
        || (a == 198 && b == 51 && c == 100)    // documentation
        || (a == 203 && b == 0 && c == 113)     // documentation
        || a >= 224) // multicast, reserved, broadcast
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    // Only global unicast (2000::/3) is public, minus its special blocks.
    (s[0] & 0xe000) == 0x2000
        && !(s[0] == 0x2001 && s[1] < 0x0200) // Teredo, benchmarking, ORCHID…
        && !(s[0] == 0x2001 && s[1] == 0x0db8) // documentation
        && !(s[0] == 0x3fff && s[1] < 0x1000) // documentation (2024)
}

/// The address rule: inside an allowed network, or public and reached
/// over `https`.
pub fn check_addr(ip: IpAddr, https: bool, nets: &AllowedNets) -> Result<(), Refusal> {
    if nets.contains(ip) {
        Ok(())
    } else if !is_public(ip) {
        Err(Refusal::PrivateAddress)
    } else if !https {
        Err(Refusal::NotHttps)
    } else {
        Ok(())
    }
}

/// A URL that passed the checks that need no network: its host and port.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: Url,
    pub https: bool,
    pub host: Host,
    pub port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Ip(IpAddr),
    Name(String),
}

/// Parses and checks a URL without resolving it. IP literals in every
/// notation (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]`) are normalised
/// by the WHATWG parser before they are judged.
pub fn parse(text: &str, nets: &AllowedNets) -> Result<Target, Refusal> {
    let url = Url::parse(text.trim()).map_err(|_| Refusal::Invalid)?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(Refusal::Invalid),
    };
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(Refusal::Invalid);
    }
    let port = url.port_or_known_default().ok_or(Refusal::Invalid)?;
    let host = match url.host().ok_or(Refusal::Invalid)? {
        url::Host::Ipv4(ip) => Host::Ip(IpAddr::V4(ip)),
        url::Host::Ipv6(ip) => Host::Ip(IpAddr::V6(ip)),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            if name.is_empty() || name == "localhost" || name.ends_with(".localhost") {
                return Err(Refusal::PrivateAddress);
            }
            Host::Name(name)
        }
    };
    if let Host::Ip(ip) = host {
        check_addr(ip, https, nets)?;
    }
    Ok(Target {
        url,
        https,
        host,
        port,
    })
}

/// Name resolution, swappable so tests can play a hostile DNS server.
pub trait Lookup: Send + Sync {
    fn lookup(
        &self,
        host: &str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + '_>>;
}

/// The operating system's resolver.
pub struct SystemLookup;

/// The longest a name lookup may take.
const LOOKUP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

impl Lookup for SystemLookup {
    fn lookup(
        &self,
        host: &str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + '_>> {
        let host = host.to_owned();
        Box::pin(async move {
            // A resolver that never answers must not hold a request (or a
            // worker's send) for the system's whole retry cycle.
            let answer =
                tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host.as_str(), 0)))
                    .await
                    .map_err(|_| {
                        std::io::Error::new(std::io::ErrorKind::TimedOut, "name lookup timed out")
                    })??;
            Ok(answer.map(|a| a.ip()).collect())
        })
    }
}

/// Resolves a target and checks every answer: one refused answer refuses
/// the whole name (an attacker's DNS would otherwise put a private address
/// after a public one).
pub async fn resolve(
    target: &Target,
    lookup: &dyn Lookup,
    nets: &AllowedNets,
) -> Result<Vec<IpAddr>, Refusal> {
    let addrs = match &target.host {
        Host::Ip(ip) => vec![*ip],
        Host::Name(name) => lookup
            .lookup(name)
            .await
            .map_err(|_| Refusal::Unresolvable)?,
    };
    if addrs.is_empty() {
        return Err(Refusal::Unresolvable);
    }
    for ip in &addrs {
        check_addr(*ip, target.https, nets)?;
    }
    Ok(addrs)
}

/// The HTTP client's resolver: the same rule on the answers it connects to
/// (the scheme is checked before the request, by [`resolve`]).
pub struct GuardedResolver {
    pub lookup: Arc<dyn Lookup>,
    pub nets: AllowedNets,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let lookup = self.lookup.clone();
        let nets = self.nets.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = lookup.lookup(&name).await?;
            if addrs.is_empty()
                || addrs
                    .iter()
                    .any(|ip| !nets.contains(*ip) && !is_public(*ip))
            {
                return Err(Box::new(std::io::Error::other(format!(
                    "{name} resolves to an address webhooks may not reach"
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: reqwest::dns::Addrs =
                Box::new(addrs.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

#[cfg(test)]
#[path = "ssrf_tests.rs"]
mod tests;
