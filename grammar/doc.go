// Package grammar owns the crm configure language: it splits input into
// shell words as crmsh does, parses statements with participle into an
// AST, and reports errors with the line and column and what was expected,
// in the domain's words. It knows nothing of XML: the cib package turns
// the AST into CIB elements.
package grammar
