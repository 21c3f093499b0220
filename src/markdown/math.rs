//! LaTeX math → Typst math.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("the formula `{tex}` cannot be set: {message}")]
pub struct MathError {
    pub tex: String,
    pub message: String,
}

pub fn to_typst(tex: &str) -> Result<String, MathError> {
    Err(MathError {
        tex: tex.into(),
        message: "math is not supported yet".into(),
    })
}
