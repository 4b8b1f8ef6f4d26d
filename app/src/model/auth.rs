//! Who is using the console and what they may do. Roles are ordered: viewer < editor < admin.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Viewer,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub name: String,
    pub role: Role,
    /// Signed in with a session (basic mode): the top bar offers "Sign out".
    #[serde(default)]
    pub can_sign_out: bool,
}

/// The name every request carries in anonymous mode.
pub const ANONYMOUS: &str = "anonymous";

impl CurrentUser {
    /// Nobody signed in (anonymous mode): the console cannot say who anyone is.
    pub fn is_anonymous(&self) -> bool {
        self.name == ANONYMOUS && !self.can_sign_out
    }

    /// Why this user may not write (silences), or `None` when they may.
    pub fn cannot_write(&self) -> Option<String> {
        (self.role < Role::Editor).then(|| {
            format!(
                "creating, editing and expiring silences needs the editor role; {} is a {} (ask an admin, or set [auth] anonymous_role = \"editor\" for a lab setup)",
                self.name,
                self.role.as_str()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_writes_need_editor() {
        assert!(Role::Viewer < Role::Editor && Role::Editor < Role::Admin);
        let viewer = CurrentUser {
            name: "anonymous".into(),
            role: Role::Viewer,
            can_sign_out: false,
        };
        assert!(viewer.cannot_write().unwrap().contains("editor role"));
        assert!(CurrentUser {
            name: "a".into(),
            role: Role::Editor,
            can_sign_out: false,
        }
        .cannot_write()
        .is_none());
    }
}
