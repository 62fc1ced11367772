package locale

// Decimal formats x with places decimals in the language's style ("3.3", "3,3").
func (t *Tr) Decimal(x float64, places int) string {
	return t.numbers.Sprintf("%.*f", places, x)
}
