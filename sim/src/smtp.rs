//! A loopback SMTP sink for Alertmanager's `email_configs`: it speaks just enough plain SMTP
//! (no STARTTLS, no AUTH, so Alertmanager neither encrypts nor authenticates) to take each mail
//! and record it beside the webhook notifications, as `{"_receiver_path": "email", "from",
//! "to", "subject", "body"}`.

use crate::http::SharedSim;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A mail body is cut here: the sink keeps evidence, not archives.
const MAX_BODY: usize = 64 * 1024;

/// Accepts SMTP sessions on `listener` until the runtime stops.
pub async fn serve(listener: TcpListener, sim: SharedSim) {
    while let Ok((stream, _)) = listener.accept().await {
        let sim = sim.clone();
        tokio::spawn(async move {
            let _ = session(stream, sim).await;
        });
    }
}

/// The `Subject:` header of a mail's text.
fn subject(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("Subject:"))
        .unwrap_or_default()
        .trim()
        .to_string()
}

async fn session(stream: TcpStream, sim: SharedSim) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 octollm-sim ESMTP sink\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::<String>::new());
    while let Some(line) = lines.next_line().await? {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-octollm-sim\r\n250 8BITMIME\r\n"
        } else if upper.starts_with("HELO")
            || upper.starts_with("RSET")
            || upper.starts_with("NOOP")
        {
            b"250 OK\r\n"
        } else if let Some(addr) = upper.strip_prefix("MAIL FROM:") {
            from = line[line.len() - addr.len()..].trim().to_string();
            b"250 OK\r\n"
        } else if let Some(addr) = upper.strip_prefix("RCPT TO:") {
            to.push(line[line.len() - addr.len()..].trim().to_string());
            b"250 OK\r\n"
        } else if upper == "DATA" {
            write
                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                .await?;
            let mut body = String::new();
            while let Some(l) = lines.next_line().await? {
                if l == "." {
                    break;
                }
                if body.len() < MAX_BODY {
                    // Dot-stuffing: a leading ".." stands for ".".
                    body.push_str(
                        l.strip_prefix('.')
                            .filter(|r| r.starts_with('.'))
                            .unwrap_or(&l),
                    );
                    body.push('\n');
                }
            }
            let mail = json!({
                "_receiver_path": "email",
                "from": from, "to": to, "subject": subject(&body), "body": body,
            });
            crate::http::lock(&sim).record_notification(mail);
            b"250 OK queued\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            b"502 Command not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Sim, SimConfig};
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn a_mail_is_recorded_with_its_subject() {
        let sim: SharedSim = Arc::new(Mutex::new(Sim::new(SimConfig::default())));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, sim.clone()));
        let stream = TcpStream::connect(addr).await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        let mut expect = async |code: &str| {
            let line = lines.next_line().await.unwrap().unwrap();
            assert!(line.starts_with(code), "{line}");
        };
        expect("220").await;
        for (cmd, code) in [
            ("HELO am", "250"),
            ("MAIL FROM:<alertmanager@example.com>", "250"),
            ("RCPT TO:<team@example.com>", "250"),
            ("DATA", "354"),
            (
                "Subject: [FIRING:1] ApiAvailabilityBudgetBurn\r\n\r\nbody\r\n..dot\r\n.",
                "250",
            ),
            ("QUIT", "221"),
        ] {
            write
                .write_all(format!("{cmd}\r\n").as_bytes())
                .await
                .unwrap();
            expect(code).await;
        }
        let s = crate::http::lock(&sim);
        let mail = s.notifications.last().unwrap();
        assert_eq!(mail["_receiver_path"], "email");
        assert_eq!(mail["subject"], "[FIRING:1] ApiAvailabilityBudgetBurn");
        assert_eq!(mail["to"][0], "<team@example.com>");
        assert!(mail["body"].as_str().unwrap().contains("\n.dot\n"));
    }
}
