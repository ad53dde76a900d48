use shoutu_domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Absent, or outside the caller's scope: the two are indistinguishable on purpose.
    #[error("记录不存在或不在您的管辖范围内")]
    NotFound,
    #[error("您的角色没有执行此操作的权限")]
    Forbidden,
    /// The scope's roles allow the kind of action but not on this record; the message says
    /// why (e.g. an account holding a role the actor may not grant).
    #[error("{0}")]
    Denied(String),
    /// The input breaks a rule (e.g. a village placed under a bureau).
    #[error("{0}")]
    Invalid(FieldError),
    /// The input clashes with a stored record (e.g. a unit code already in use).
    #[error("{0}")]
    Conflict(FieldError),
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
}

impl From<shoutu_domain::grant::GrantRefusal> for StoreError {
    /// Asking for roles one may not grant is a mistake on the form; touching an account one
    /// may not manage is a refusal.
    fn from(refusal: shoutu_domain::grant::GrantRefusal) -> Self {
        use shoutu_domain::grant::GrantRefusal;
        match refusal {
            GrantRefusal::CannotGrant(_) => StoreError::Invalid(FieldError::new("角色", refusal.to_string())),
            GrantRefusal::AccountHolds(_) | GrantRefusal::OwnAccount => StoreError::Denied(refusal.to_string()),
        }
    }
}

impl From<FieldError> for StoreError {
    fn from(e: FieldError) -> Self {
        StoreError::Invalid(e)
    }
}

/// Turns a unique-constraint violation into a conflict on the named field.
pub(crate) fn on_unique(field: &'static str, message: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |e| match e.as_database_error() {
        Some(db) if db.is_unique_violation() => StoreError::Conflict(FieldError::new(field, message)),
        _ => StoreError::Database(e),
    }
}
