package views

// CSVImport is the import and export page: a result, a refusal, or a preview.
type CSVImport struct {
	Imported int    // customers the last import created; 0: none just now
	Error    string // why the file (or the confirmation) was refused
	Preview  *CSVPreview
}

// CSVPreview is what an uploaded file would import.
type CSVPreview struct {
	Total   int // rows in the file
	Invalid int // rows with problems: while any has one, nothing can be imported
	Rows    []CSVRow
	Hidden  int      // rows without problems not shown
	Ignored []string // the file's columns that are not imported
	Program string   // the program starting stamps go to
	// Content is the file in base64url and Key the confirmation's idempotency
	// key; both are empty while the file has problems.
	Content string
	Key     string
}

// CSVRow is one row of the preview, its problems translated.
type CSVRow struct {
	Row                               int
	FirstName, Phone, Email, Birthday string
	Stamps                            int
	Problems                          []string
}
