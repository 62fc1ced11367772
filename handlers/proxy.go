package handlers

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
)

// ParseTrustedProxies reads the addresses of the reverse proxies whose
// forwarding headers the server believes: networks ("10.0.0.0/8") and single
// addresses ("127.0.0.1", "::1"), separated by commas or spaces. "" trusts
// none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var trusted []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
			}
			trusted = append(trusted, p.Masked())
			continue
		}
		ip, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
		}
		ip = ip.Unmap().WithZone("")
		trusted = append(trusted, netip.PrefixFrom(ip, ip.BitLen()))
	}
	return trusted, nil
}

// forwarding returns how the server tells the client's address and scheme.
// With no trusted proxy: from the connection alone, whatever headers say.
// Behind trusted proxies: X-Forwarded-For, read from the right and skipping
// the trusted hops (or X-Real-IP without it), and X-Forwarded-Proto, only
// when the connection comes from one of them. Echo trusts loopback and
// private addresses by default; here only the ones named are.
func forwarding(trusted []netip.Prefix) (echo.IPExtractor, echo.SchemeExtractor) {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect(), echo.ExtractSchemeDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	xff, realIP := echo.ExtractIPFromXFFHeader(opts...), echo.ExtractIPFromRealIPHeader(opts...)
	ip := func(r *http.Request) string {
		if len(r.Header.Values(echo.HeaderXForwardedFor)) == 0 {
			return realIP(r)
		}
		return xff(r)
	}
	return ip, echo.ExtractSchemeFromHeaders(opts...)
}

// publicOrigin is the scheme and host of a public URL, or "" when it is not
// an http(s) URL.
func publicOrigin(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// hsts tells browsers to come back to this host over https only, for a year,
// once they have reached it over https: set when the public URL is https.
// Sibling subdomains are not included, as they may be another party's.
func hsts(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		c.Response().Header().Set("Strict-Transport-Security", "max-age=31536000")
		return next(c)
	}
}

// StartWarnings returns what an operator should hear when the server starts
// listening on addr with the public URL baseURL.
func StartWarnings(addr, baseURL string) []string {
	var warnings []string
	switch {
	case baseURL == "" && !loopbackOnly(addr):
		warnings = append(warnings, fmt.Sprintf("listening on %s without a public URL: QR codes and links will carry whatever host name each request names, "+
			"and a printed QR code with a wrong one never works; set -base-url (REGULARS_BASE_URL) to the address customers use, e.g. https://loyalty.example.com", addr))
	case baseURL != "" && publicOrigin(baseURL) == "":
		warnings = append(warnings, fmt.Sprintf("the public URL %q is not an http:// or https:// address: QR codes will not open; set -base-url (REGULARS_BASE_URL) to e.g. https://loyalty.example.com", baseURL))
	}
	return warnings
}

// loopbackOnly reports whether addr listens on this machine's loopback
// interface only: nobody else can send it a Host header.
func loopbackOnly(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}
