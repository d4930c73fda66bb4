package route

// clipText bounds text copied into reasons and error messages.
func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
