package web_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asabgo/asab/app"
	"github.com/asabgo/asab/asabtest"
	"github.com/asabgo/asab/web"
)

// selfSigned writes a certificate for 127.0.0.1 and its key to dir and
// returns their paths and a pool trusting the certificate.
func selfSigned(t *testing.T, dir string) (certPath, keyPath string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "asab test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

func TestTLSListener(t *testing.T) {
	certPath, keyPath, pool := selfSigned(t, t.TempDir())
	conf := "[web]\nlisten=\n\t127.0.0.1 0 ssl\n\t127.0.0.1 0\n[ssl:web]\ncert=" + certPath + "\nkey=" + keyPath + "\n"
	s := startServer(t, conf, func(a *app.Application, svc *web.Service) { svc.Echo().GET("/hello", hello) })
	if !strings.HasPrefix(s.url(0), "https://") || !strings.HasPrefix(s.url(1), "http://") {
		t.Fatalf("URLs %s %s", s.url(0), s.url(1))
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, body := get(t, client, s.url(0)+"/hello"); code != 200 || body != "Hello!" {
		t.Errorf("https: %d %q", code, body)
	}
	if code, body := get(t, nil, s.url(1)+"/hello"); code != 200 || body != "Hello!" {
		t.Errorf("http beside https: %d %q", code, body)
	}
}

func TestTLSMissingKeyIsInitError(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "log")
	conf := "[logging:file]\npath=" + logPath + "\n[logging:console]\nenabled=false\n[web]\nlisten=127.0.0.1 0 ssl:public\n[ssl:public]\ncert=/nonexistent/cert.pem\nkey=/nonexistent/key.pem\n"
	if code := asabtest.New(t, conf).AddModule(web.Module).RunToExit(); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	b, _ := os.ReadFile(logPath)
	if !strings.Contains(string(b), "[ssl:public\\] cert") || !strings.Contains(string(b), "listen line 1") {
		t.Fatalf("log does not name the TLS section and line:\n%s", b)
	}
}
