package shell

import (
	"context"
	"fmt"
	"testing"

	prompt "github.com/c-bata/go-prompt"
	"github.com/virtsh/virtsh/backend"
	_ "github.com/virtsh/virtsh/backend/testdrv"
	"github.com/virtsh/virtsh/commands"
	"github.com/virtsh/virtsh/completion"
)

// benchShell sets up what the interactive shell has: a session on
// test:///default with n extra domains, the caching completion connection
// and the completer.
func benchShell(b *testing.B, n int) (*commands.Completer, *completion.Cache) {
	ctx := context.Background()
	env := &commands.Env{Session: &commands.Session{URI: "test:///default"}, Aliases: commands.Aliases{}}
	conn, err := env.Session.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < n; i++ {
		xml := fmt.Sprintf("<domain type='test'><name>dom%04d</name><memory>1024</memory><os><type>hvm</type></os></domain>", i)
		if _, err := conn.Domains().Define(ctx, xml, backend.DefineOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	cache := completion.NewCache(env.Session.Conn)
	env.CompletionConn = cache.Conn
	return commands.NewCompleter(env), cache
}

func document(text string) prompt.Document {
	buf := prompt.NewBuffer()
	buf.InsertText(text, false, true)
	return *buf.Document()
}

// BenchmarkCompleteDomain1000 is one keystroke of `dominfo dom05` with
// 1000 domains defined: warm is a keystroke after the first of the line
// (the shell caches the listing per line), cold the first keystroke.
func BenchmarkCompleteDomain1000(b *testing.B) {
	ctx := context.Background()
	c, cache := benchShell(b, 1000)
	doc := document("dominfo dom05")
	b.Run("warm", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if got := suggestions(ctx, c, doc); len(got) != 100 {
				b.Fatalf("%d suggestions, want 100", len(got))
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cache.Reset()
			if got := suggestions(ctx, c, doc); len(got) != 100 {
				b.Fatalf("%d suggestions, want 100", len(got))
			}
		}
	})
}
