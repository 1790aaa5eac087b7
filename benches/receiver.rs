//! The webhook benchmark's receiver (docs/benchmarks.md, "Webhooks"): a
//! compiled program in its own process, so that what is measured is the
//! server's delivery and not a slow receiver.
//!
//! It listens on loopback (the port it prints first, as `port <n>`),
//! answers every request `204` at once on a kept connection, and prints
//! one line per request: the wall-clock time in nanoseconds at which the
//! request's *first byte* was read, its `webhook-id`, and the job's
//! `reference_id` (or `-`). Lines are written by a thread of their own,
//! off the path of the answer.
//!
//! Standard library only: `cargo bench --bench receiver --no-run` builds
//! it, and the harness compiles it with `rustc` when that build is
//! missing. It serves only when run with `--serve`, so a plain `cargo
//! bench` does not wait on it forever.

use std::io::{BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The largest request read; the benchmark's messages are a few KiB.
const MAX_REQUEST: usize = 1 << 20;

struct Seen {
    at_ns: u128,
    id: String,
    reference: String,
}

fn main() {
    if !std::env::args().any(|a| a == "--serve") {
        eprintln!(
            "usage: receiver --serve (the webhook benchmark's receiver; see bench/webhooks.py)"
        );
        return;
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    let (tx, rx) = mpsc::channel::<Seen>();
    std::thread::spawn(move || print_lines(rx));
    println!("port {port}");
    std::io::stdout().flush().expect("stdout");
    for stream in listener.incoming().flatten() {
        let tx = tx.clone();
        std::thread::spawn(move || serve(stream, tx));
    }
}

fn print_lines(rx: mpsc::Receiver<Seen>) {
    let mut out = BufWriter::new(std::io::stdout().lock());
    while let Ok(first) = rx.recv() {
        let mut next = Some(first);
        while let Some(s) = next {
            let _ = writeln!(out, "{} {} {}", s.at_ns, s.id, s.reference);
            next = rx.try_recv().ok();
        }
        // Nothing more waiting: let the harness see the lines now.
        if out.flush().is_err() {
            return;
        }
    }
}

fn now_ns() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Requests on one connection, one after the other, until it closes.
fn serve(mut stream: TcpStream, tx: mpsc::Sender<Seen>) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut chunk = vec![0u8; 64 * 1024];
    // When the first byte of the request in `buf` arrived.
    let mut started: Option<u128> = None;
    loop {
        // Whole requests already in the buffer first.
        while let Some((end, seen)) = request(&buf) {
            let at_ns = started.take().unwrap_or_else(now_ns);
            if stream
                .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                .is_err()
            {
                return;
            }
            let _ = tx.send(Seen { at_ns, ..seen });
            buf.drain(..end);
            if !buf.is_empty() {
                started = Some(now_ns());
            }
        }
        if buf.len() > MAX_REQUEST {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if buf.is_empty() {
                    started = Some(now_ns());
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        }
    }
}

/// The end of the first whole request in `buf`, and what it says.
fn request(buf: &[u8]) -> Option<(usize, Seen)> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    let mut length = 0usize;
    let mut id = String::from("-");
    for line in head.split("\r\n").skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("webhook-id") {
            id = value.to_owned();
        }
    }
    let end = head_end + length;
    if buf.len() < end {
        return None;
    }
    let body = &buf[head_end..end];
    Some((
        end,
        Seen {
            at_ns: 0,
            id,
            reference: reference_of(body).unwrap_or_else(|| "-".into()),
        },
    ))
}

/// The job's `reference_id` in the message, found without parsing JSON (the
/// benchmark's references are plain ASCII).
fn reference_of(body: &[u8]) -> Option<String> {
    let key = b"\"reference_id\":\"";
    let at = body.windows(key.len()).position(|w| w == key)? + key.len();
    let len = body[at..].iter().position(|&b| b == b'"')?;
    String::from_utf8(body[at..at + len].to_vec()).ok()
}
