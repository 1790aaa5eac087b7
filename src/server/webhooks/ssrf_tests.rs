//! The address rules against every notation and a hostile resolver.

use super::*;

fn none() -> AllowedNets {
    AllowedNets::default()
}

fn refused(url: &str) -> Refusal {
    parse(url, &none()).expect_err(url)
}

#[test]
fn loopback_private_and_metadata_literals_are_refused_in_every_notation() {
    for url in [
        "https://127.0.0.1/",
        "https://127.1/",
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0x7f.0.0.1/",
        "https://017700000001/",
        "https://0/",
        "https://[::1]/",
        "https://[::]/",
        "https://[::ffff:127.0.0.1]/",
        "https://[::ffff:7f00:1]/",
        "https://[64:ff9b::a9fe:a9fe]/",
        "https://[2002:a9fe:a9fe::1]/",
        "https://10.1.2.3/",
        "https://172.16.0.1/",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data",
        "https://100.64.0.1/",
        "https://[fe80::1]/",
        "https://[fd00:ec2::254]/",
        "https://[ff02::1]/",
        "https://224.0.0.1/",
        "https://255.255.255.255/",
        "https://localhost/",
        "https://LOCALHOST./",
        "https://api.localhost/",
    ] {
        assert_eq!(refused(url), Refusal::PrivateAddress, "{url}");
    }
}

#[test]
fn malformed_urls_are_refused() {
    for url in [
        "",
        "example.com/hook",
        "ftp://example.com/",
        "file:///etc/passwd",
        "https://user:pw@example.com/",
        "https://",
        "javascript:alert(1)",
    ] {
        assert_eq!(refused(url), Refusal::Invalid, "{url:?}");
    }
}

#[test]
fn public_https_passes_and_plain_http_needs_an_allowed_net() {
    assert!(parse("https://8.8.8.8/hook", &none()).is_ok());
    assert!(parse("https://[2606:4700::1111]/", &none()).is_ok());
    assert_eq!(refused("http://8.8.8.8/hook"), Refusal::NotHttps);
    let nets = AllowedNets::parse("127.0.0.0/8, 10.20.0.0/16,::1").unwrap();
    assert!(parse("http://127.0.0.1:9000/hook", &nets).is_ok());
    assert!(parse("http://[::1]:9000/", &nets).is_ok());
    assert!(parse("https://10.20.3.4/", &nets).is_ok());
    assert!(parse("http://[::ffff:127.0.0.1]/", &nets).is_ok());
    assert_eq!(
        parse("http://10.21.0.1/", &nets).unwrap_err(),
        Refusal::PrivateAddress
    );
    assert!(AllowedNets::parse("10.0.0.0/33").is_err());
    assert!(AllowedNets::parse("nonsense").is_err());
}

/// A DNS server under an attacker's control.
struct Answers(Vec<IpAddr>);

impl Lookup for Answers {
    fn lookup(
        &self,
        _: &str,
    ) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send + '_>> {
        let answers = self.0.clone();
        Box::pin(async move { Ok(answers) })
    }
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[tokio::test]
async fn every_dns_answer_is_checked() {
    let target = parse("https://hooks.example.com/x", &none()).unwrap();
    let public = Answers(vec![ip("93.184.215.14")]);
    assert!(resolve(&target, &public, &none()).await.is_ok());
    for answers in [
        vec![ip("93.184.215.14"), ip("127.0.0.1")],
        vec![ip("93.184.215.14"), ip("169.254.169.254")],
        vec![ip("::ffff:10.0.0.1")],
        vec![ip("fd00::1")],
    ] {
        let dns = Answers(answers.clone());
        assert_eq!(
            resolve(&target, &dns, &none()).await.unwrap_err(),
            Refusal::PrivateAddress,
            "{answers:?}"
        );
    }
    let empty = Answers(vec![]);
    assert_eq!(
        resolve(&target, &empty, &none()).await.unwrap_err(),
        Refusal::Unresolvable
    );
}

#[tokio::test]
async fn the_clients_resolver_refuses_a_rebound_name() {
    use reqwest::dns::Resolve;
    let guard = GuardedResolver {
        lookup: Arc::new(Answers(vec![ip("93.184.215.14"), ip("10.0.0.7")])),
        nets: none(),
    };
    let name: reqwest::dns::Name = "hooks.example.com".parse().unwrap();
    assert!(guard.resolve(name).await.is_err());
    let guard = GuardedResolver {
        lookup: Arc::new(Answers(vec![ip("93.184.215.14")])),
        nets: none(),
    };
    let name: reqwest::dns::Name = "hooks.example.com".parse().unwrap();
    let addrs: Vec<_> = guard.resolve(name).await.unwrap().collect();
    assert_eq!(addrs.len(), 1);
}
