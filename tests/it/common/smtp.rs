//! A real SMTP server for the mail tests: `end2end/smtp_sink.py` (aiosmtpd)
//! on a free loopback port, keeping each message as a file. Needs the
//! venv of `make tools-python` (`make test-rust` makes it).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sink {
    child: Child,
    dir: PathBuf,
    /// `smtp://127.0.0.1:<port>`, for `LIVREUR_SMTP_URL`.
    pub url: String,
}

/// One message as the server received it, decoded by Python's `email`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Mail {
    pub rcpt_tos: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub content_type: String,
    pub body: String,
    pub raw: String,
}

fn python() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("end2end/.venv/bin/python3");
    assert!(
        venv.exists(),
        "the mail tests need end2end/.venv: run `make tools-python` first"
    );
    venv
}

impl Sink {
    pub fn start() -> Sink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = std::env::temp_dir().join(format!("livreur-mail-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("end2end/smtp_sink.py");
        let child = Command::new(python())
            .arg(script)
            .args(["--port", &port.to_string(), "--dir"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start smtp_sink.py");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "smtp_sink.py did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Sink {
            child,
            dir,
            url: format!("smtp://127.0.0.1:{port}"),
        }
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Mail> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|e| e == "json"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
            .into_iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
