package locale

import "golang.org/x/text/language"

// regionCurrencies are the currencies of the regions a shop is most likely
// in; shops elsewhere choose theirs in the settings.
var regionCurrencies = map[string]string{
	"TR": "TRY", "IR": "IRR", "RO": "RON", "MD": "MDL", "US": "USD", "GB": "GBP", "CH": "CHF", "AE": "AED",
	"AF": "AFN", "CA": "CAD", "AU": "AUD",
	"AT": "EUR", "BE": "EUR", "CY": "EUR", "DE": "EUR", "EE": "EUR", "ES": "EUR", "FI": "EUR", "FR": "EUR", "GR": "EUR",
	"HR": "EUR", "IE": "EUR", "IT": "EUR", "LT": "EUR", "LU": "EUR", "LV": "EUR", "MT": "EUR", "NL": "EUR", "PT": "EUR",
	"SI": "EUR", "SK": "EUR",
}

// languageCurrencies are the currencies of the languages spoken in one
// country for most of our shops.
var languageCurrencies = map[string]string{"tr": "TRY", "fa": "IRR", "ro": "RON"}

// ProposedCurrency is the currency a new shop most likely counts in: the
// region the browser names (en-GB: GBP), else the shop's language (tr:
// TRY), else EUR. The owner sees it and can change it.
func ProposedCurrency(lang, acceptLanguage string) string {
	if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
		for _, t := range tags {
			if r, conf := t.Region(); conf == language.Exact {
				if c, ok := regionCurrencies[r.String()]; ok {
					return c
				}
			}
		}
	}
	if c, ok := languageCurrencies[lang]; ok {
		return c
	}
	return "EUR"
}
