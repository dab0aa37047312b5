//! Evaluation (see issue 4).
