//! Server functions: the privileged operations the interface calls. Each is
//! a public HTTP endpoint under `/_fn/`, so each checks who is calling
//! before anything else, then calls one service function. Bodies are
//! compiled only into the server; the browser gets a thin client stub.

pub mod auth;
pub mod organization;
pub mod preferences;
