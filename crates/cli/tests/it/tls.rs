//! `paceline serve` over HTTPS, as a client that verifies certificates sees it: a
//! self-signed authority's certificate served with HSTS, a renewed certificate picked up
//! without a restart while an open connection keeps working, the plain listener's 308 to
//! HTTPS, and forwarded headers believed only from a trusted proxy.

use crate::harness::{Server, start_server};
use paceline_testkit::{TestContext, on_both_engines};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

on_both_engines!(
    https_is_served_renewed_and_redirected_to,
    forwarded_headers_count_only_from_trusted_proxies
);

/// A certificate authority of our own, and a certificate it signs for `localhost` and
/// 127.0.0.1.
struct Authority {
    root: CertificateDer<'static>,
    chain_pem: String,
    key_pem: String,
}

fn authority(name: &str) -> Authority {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::new()).unwrap();
    ca.distinguished_name.push(DnType::CommonName, name);
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let leaf_cert = leaf.signed_by(&leaf_key, &issuer).unwrap();
    Authority {
        root: ca_cert.der().clone(),
        chain_pem: leaf_cert.pem(),
        key_pem: leaf_key.serialize_pem(),
    }
}

fn install(authority: &Authority, dir: &Path) {
    // Written beside and renamed, as certbot and its kind renew.
    for (name, text) in [
        ("cert.pem", &authority.chain_pem),
        ("key.pem", &authority.key_pem),
    ] {
        let part = dir.join(format!("{name}.new"));
        std::fs::write(&part, text).unwrap();
        std::fs::rename(&part, dir.join(name)).unwrap();
    }
}

/// A TLS client that trusts only `root`.
fn client(root: &CertificateDer<'static>) -> TlsConnector {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(root.clone()).unwrap();
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    TlsConnector::from(Arc::new(config))
}

async fn connect(connector: &TlsConnector, address: &str) -> std::io::Result<TlsStream<TcpStream>> {
    let tcp = TcpStream::connect(address).await?;
    let name = ServerName::try_from("localhost").unwrap();
    connector.connect(name, tcp).await
}

/// Sends a GET of `path` on an open connection (kept alive) and reads the answer's head and
/// body.
async fn get(stream: &mut TlsStream<TcpStream>, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = stream.read(&mut buffer).await.unwrap();
        answer.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&answer);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_owned)
                })
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return text.into_owned();
            }
        }
        assert!(read > 0, "the connection closed");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn https_is_served_renewed_and_redirected_to(db: TestContext) {
    let dir = tempfile::tempdir().unwrap();
    let first = authority("First Test Authority");
    install(&first, dir.path());
    let config = dir.path().join("paceline.toml");
    std::fs::write(
        &config,
        format!(
            "[tls]\ncert = {:?}\nkey = {:?}\nreload_seconds = 1\n",
            dir.path().join("cert.pem"),
            dir.path().join("key.pem")
        ),
    )
    .unwrap();
    let redirect_port = free_port();
    let redirect = format!("127.0.0.1:{redirect_port}");
    let server: Server = start_server(
        &db,
        &[
            "--config",
            config.to_str().unwrap(),
            "--redirect-http",
            &redirect,
        ],
    )
    .await;
    let address = server.base.trim_start_matches("http://").to_owned();

    // A verifying client that trusts the first authority: HTTPS, with HSTS.
    let trusts_first = client(&first.root);
    let mut open = connect(&trusts_first, &address).await.unwrap();
    let answer = get(&mut open, "/healthz").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000"),
        "{answer}"
    );
    // One that trusts another authority refuses the certificate.
    let second = authority("Second Test Authority");
    let trusts_second = client(&second.root);
    assert!(connect(&trusts_second, &address).await.is_err());

    // The certificate is renewed (by another authority, so the change shows): new
    // connections get it without a restart, and the open one keeps working.
    install(&second, dir.path());
    let mut renewed = None;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if let Ok(stream) = connect(&trusts_second, &address).await {
            renewed = Some(stream);
            break;
        }
    }
    let mut renewed = renewed.expect("the renewed certificate was not picked up");
    assert!(
        get(&mut renewed, "/healthz")
            .await
            .starts_with("HTTP/1.1 200")
    );
    assert!(connect(&trusts_first, &address).await.is_err());
    let still = get(&mut open, "/readyz").await;
    assert!(still.starts_with("HTTP/1.1 200"), "{still}");

    // A half-written renewal is not taken: the server keeps the certificate it has.
    std::fs::write(dir.path().join("cert.pem"), "-----BEGIN CERTIFICATE-----\n").unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut kept = connect(&trusts_second, &address).await.unwrap();
    assert!(get(&mut kept, "/healthz").await.starts_with("HTTP/1.1 200"));

    // Plain HTTP on the redirect listener: 308 to the same path over HTTPS, no HSTS.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let moved = plain
        .post(format!("http://{redirect}/api/oauth/token?x=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 308);
    let port = address.rsplit(':').next().unwrap();
    assert_eq!(
        moved.headers()["location"],
        format!("https://127.0.0.1:{port}/api/oauth/token?x=1").as_str()
    );
    assert!(moved.headers().get("strict-transport-security").is_none());
    let (status, log) = server.stop_with(15).await;
    assert!(status.success(), "{log}");
    assert!(log.contains("certificate reloaded"), "{log}");
    assert!(log.contains("does not load"), "{log}");
}

async fn forwarded_headers_count_only_from_trusted_proxies(db: TestContext) {
    let hsts = |response: &reqwest::Response| {
        response
            .headers()
            .get("strict-transport-security")
            .is_some()
    };
    let proxied = |base: &str| {
        reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-for", "198.51.100.7")
    };
    // Nobody trusted: a client claiming HTTPS is plain HTTP all the same.
    let server = start_server(&db, &[]).await;
    let answer = proxied(&server.base).send().await.unwrap();
    assert_eq!(answer.status(), 200);
    assert!(!hsts(&answer));
    server.stop_with(15).await;
    // The loopback proxy trusted: its word counts.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("paceline.toml");
    std::fs::write(&config, "[proxy]\ntrusted = [\"127.0.0.1\", \"::1\"]\n").unwrap();
    let server = start_server(&db, &["--config", config.to_str().unwrap()]).await;
    let answer = proxied(&server.base).send().await.unwrap();
    assert!(hsts(&answer));
    let direct = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert!(!hsts(&direct), "a plain request through the proxy is plain");
    server.stop_with(15).await;
}
