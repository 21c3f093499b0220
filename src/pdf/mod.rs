//! Reading PDFs, as a printer's prepress does: the page boxes (and the BleedBox
//! confbook adds after Typst, [`boxes`]) and [`preflight`], the check of a whole PDF.
//! Any PDF, not only confbook's: it imports nothing from the stages above.

pub mod boxes;
pub mod preflight;
