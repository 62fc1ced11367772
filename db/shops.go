package db

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"regulars/loyalty"
)

// Shop is a tenant.
type Shop struct {
	ID          int64
	Slug        string
	Name        string
	BrandColor  string
	Language    string
	TimeZone    string
	Currency    string
	Digits      string // "latin" or "persian": how its Persian pages write numbers
	LogoVersion int64  // 0: no logo
	CreatedAt   time.Time
	// StampOnScan: a scan at the counter adds one stamp of the default program.
	StampOnScan bool
	Calendar    string // "gregorian" or "jalali": the calendar its dates are written in
	// Cashback is the share of a purchase credited as store credit (credit.go).
	Cashback loyalty.Cashback
}

// NewShop is what the sign-up form gives.
type NewShop struct {
	Name         string
	OwnerName    string
	Email        string
	PasswordHash string
	Language     string
	TimeZone     string
	Digits       string // "persian", or "" for the column's default, "latin"
	Currency     string // "" for the column's default, EUR
	// The default program, in the shop's language.
	ProgramName string
	RewardText  string
}

const shopColumns = `id, slug, name, brand_color, language, timezone, currency, digits, logo_version, created_at, stamp_on_scan, calendar,
	cashback_bp, cashback_min`

func scanShop(row scanner) (Shop, error) {
	var sh Shop
	var created int64
	err := row.Scan(&sh.ID, &sh.Slug, &sh.Name, &sh.BrandColor, &sh.Language, &sh.TimeZone, &sh.Currency, &sh.Digits, &sh.LogoVersion, &created, &sh.StampOnScan, &sh.Calendar,
		&sh.Cashback.Rate, &sh.Cashback.Min)
	sh.CreatedAt = fromUnix(created)
	return sh, notFound(err)
}

// CreateShop creates a shop, its owner and its default program "10 stamps → 1
// free item" in one transaction. It returns ErrDuplicate when the email is taken.
func (s *Store) CreateShop(ctx context.Context, n NewShop, now time.Time) (shopID, ownerID int64, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		slug, err := freeSlug(ctx, tx, slugify(n.Name))
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO shops (slug, name, language, timezone, digits, currency, created_at)
			VALUES (?, ?, ?, ?, coalesce(nullif(?, ''), 'latin'), coalesce(nullif(?, ''), 'EUR'), ?)`,
			slug, n.Name, n.Language, n.TimeZone, n.Digits, n.Currency, unix(now))
		if err != nil {
			return err
		}
		shopID, _ = res.LastInsertId()
		res, err = tx.ExecContext(ctx, `INSERT INTO users (shop_id, name, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, 'owner', ?)`,
			shopID, n.OwnerName, n.Email, n.PasswordHash, unix(now))
		if isUnique(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		ownerID, _ = res.LastInsertId()
		_, err = insertProgram(ctx, tx, Program{ShopID: shopID, Name: n.ProgramName, RewardText: n.RewardText,
			StampsRequired: 10, MaxPerVisit: 1, IsDefault: true}, now)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("create shop %q: %w", n.Name, err)
	}
	return shopID, ownerID, nil
}

func freeSlug(ctx context.Context, tx *sql.Tx, base string) (string, error) {
	for i := 1; ; i++ {
		slug := base
		if i > 1 {
			slug = base + "-" + strconv.Itoa(i)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM shops WHERE slug = ?`, slug).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return slug, nil
		}
	}
}

// slugify makes a URL slug of a shop name: "Çınar Fırın" → "cinar-firin".
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(strings.ToLower(name)) {
		switch {
		case r == 'ı':
			r = 'i'
		case unicode.Is(unicode.Mn, r):
			continue
		}
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	slug := strings.Trim(b.String(), "-")
	if slug == "" {
		slug = "shop"
	}
	return slug
}

// ShopCount tells whether the install is fresh.
func (s *Store) ShopCount(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM shops`).Scan(&n)
	return n, err
}

// Shop returns a shop by id.
func (s *Store) Shop(ctx context.Context, id int64) (Shop, error) {
	sh, err := remembered(&s.cache, func(c *readCache) *memo[int64, Shop] { return &c.shops }, id, func() (Shop, error) {
		return scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE id = ?`, id))
	})
	if err != nil {
		return sh, fmt.Errorf("shop %d: %w", id, err)
	}
	return sh, nil
}

// ShopBySlug returns the shop whose poster names slug.
func (s *Store) ShopBySlug(ctx context.Context, slug string) (Shop, error) {
	sh, err := scanShop(s.r.QueryRowContext(ctx, `SELECT `+shopColumns+` FROM shops WHERE slug = ?`, slug))
	if err != nil {
		return sh, fmt.Errorf("shop %q: %w", slug, err)
	}
	return sh, nil
}

// ShopSettings is what the owner edits on the shop settings page.
type ShopSettings struct {
	Name, BrandColor, Language, TimeZone, Currency string
	Digits                                         string
	StampOnScan                                    bool
	Calendar                                       string
}

// UpdateShop saves the shop's settings on behalf of userID. A new time zone
// moves every event to another local day, so the rollups are rebuilt from the
// ledger: owed with the change, then done step by step (payShopRollups).
func (s *Store) UpdateShop(ctx context.Context, shopID int64, st ShopSettings, userID int64, now time.Time) error {
	var zone string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT timezone FROM shops WHERE id = ?`, shopID).Scan(&zone); err != nil {
			return notFound(err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE shops SET name = ?, brand_color = ?, language = ?, timezone = ?, currency = ?, digits = ?, stamp_on_scan = ?,
			calendar = coalesce(nullif(?, ''), calendar) WHERE id = ?`, st.Name, st.BrandColor, st.Language, st.TimeZone, st.Currency, st.Digits, st.StampOnScan, st.Calendar, shopID)
		if err != nil {
			return err
		}
		if zone != st.TimeZone {
			if err := oweRollups(ctx, tx, shopID); err != nil {
				return err
			}
			if err := rezoneMultipliers(ctx, tx, shopID, st.TimeZone, now); err != nil {
				return err
			}
		}
		return recordAudit(ctx, tx, shopID, userID, AuditSettings, st.Name, now)
	})
	if err != nil {
		return fmt.Errorf("update shop %d: %w", shopID, err)
	}
	// Cut off (the request's deadline, a client gone), the rebuild stays
	// owed and the server's worker finishes it: the settings are saved.
	if zone != st.TimeZone {
		if err := s.payShopRollups(ctx, shopID, now); err != nil && ctx.Err() == nil {
			return err
		}
	}
	return nil
}

// SetLogo stores an already checked and re-encoded PNG logo, uploaded by userID.
func (s *Store) SetLogo(ctx context.Context, shopID int64, png []byte, userID int64, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE shops SET logo = ?, logo_version = logo_version + 1 WHERE id = ?`, png, shopID)
		if err != nil {
			return fmt.Errorf("set logo of shop %d: %w", shopID, err)
		}
		return recordAudit(ctx, tx, shopID, userID, AuditLogo, "", now)
	})
}

// Logo returns a shop's PNG logo.
func (s *Store) Logo(ctx context.Context, shopID int64) ([]byte, error) {
	var png []byte
	err := s.r.QueryRowContext(ctx, `SELECT logo FROM shops WHERE id = ? AND logo IS NOT NULL`, shopID).Scan(&png)
	if err != nil {
		return nil, fmt.Errorf("logo of shop %d: %w", shopID, notFound(err))
	}
	return png, nil
}

// ShopIDs lists every shop of the deployment.
func (s *Store) ShopIDs(ctx context.Context) ([]int64, error) {
	return shopIDs(ctx, s.r)
}

func shopIDs(ctx context.Context, q querier) ([]int64, error) {
	ids, err := collect(ctx, q, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	}, `SELECT id FROM shops ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("shops: %w", err)
	}
	return ids, nil
}
