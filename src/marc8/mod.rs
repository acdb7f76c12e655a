//! MARC-8 to Unicode decoding (see the MARC-8 issue).
