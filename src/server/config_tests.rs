//! The settings as the command line and environment give them.

use super::*;

fn parse(args: &[&str]) -> Cli {
    let mut all = vec!["livreur"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).expect("valid arguments")
}

#[test]
fn defaults_follow_the_spec() {
    let cli = parse(&[]);
    assert!(cli.command.is_none());
    assert_eq!(cli.settings.listen.to_string(), "127.0.0.1:3000");
    assert_eq!(cli.settings.database_url, "sqlite://./data/livreur.db");
    assert!(cli.settings.validate().is_ok());
    assert!(!cli.settings.secure_cookies());
}

#[test]
fn subcommands_parse() {
    assert!(matches!(
        parse(&["migrate"]).command,
        Some(Command::Migrate)
    ));
    match parse(&["create-admin", "--email", "a@b.c", "--password-stdin"]).command {
        Some(Command::CreateAdmin(args)) => {
            assert_eq!(args.email, "a@b.c");
            assert!(args.password_stdin);
        }
        other => panic!("unexpected {other:?}"),
    }
    let cli = parse(&["serve", "--listen", "0.0.0.0:8080"]);
    assert_eq!(cli.settings.listen.port(), 8080);
}

#[test]
fn bad_settings_are_refused_with_a_reason() {
    let mut s = parse(&[]).settings;
    s.database_url = "mysql://x".into();
    assert!(s.validate().unwrap_err().contains("DATABASE_URL"));
    let mut s = parse(&[]).settings;
    s.public_url = Some("ftp://x".into());
    assert!(s.validate().unwrap_err().contains("LIVREUR_PUBLIC_URL"));
    let mut s = parse(&[]).settings;
    s.session_idle_minutes = 0;
    assert!(s.validate().is_err());
    let mut s = parse(&[]).settings;
    s.webhook_allowed_nets = "10.0.0.0/8,bad".into();
    assert!(s.validate().unwrap_err().contains("ALLOWED_NETS"));
    let mut s = parse(&[]).settings;
    s.webhook_retry_schedule = Some("0,x".into());
    assert!(s.validate().unwrap_err().contains("RETRY_SCHEDULE"));
}

#[test]
fn public_origin_and_secure_flag() {
    let mut s = parse(&[]).settings;
    s.public_url = Some("https://Livreur.example.com/app".into());
    assert_eq!(
        s.public_origin().as_deref(),
        Some("https://livreur.example.com")
    );
    assert!(s.secure_cookies());
}

#[test]
fn passwords_never_printed() {
    assert_eq!(
        redact_url("postgres://app:s3cret@db:5432/livreur"),
        "postgres://app:***@db:5432/livreur"
    );
    assert_eq!(redact_url("sqlite://./data/x.db"), "sqlite://./data/x.db");
}
