// Placeholder until the first Typesetting file lands.
enum TypesettingPlaceholder {}
