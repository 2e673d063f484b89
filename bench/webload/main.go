// Command webload sends a fixed number of GET requests over a few
// kept-alive connections and exits: the load of bench/webinstr.sh, where
// the count of requests, not their rate, is what matters.
//
//	go run ./bench/webload -url http://127.0.0.1:8080/hello -n 8000 -c 8
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
)

func main() {
	url := flag.String("url", "", "URL to GET")
	n := flag.Int("n", 8000, "requests in all")
	c := flag.Int("c", 8, "connections (each sends n/c requests in turn)")
	flag.Parse()
	if *url == "" || *n <= 0 || *c <= 0 {
		fmt.Fprintln(os.Stderr, "webload: -url, a positive -n and -c are required")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *c, MaxConnsPerHost: *c}}
	var wg sync.WaitGroup
	errs := make(chan error, *c)
	for i := 0; i < *c; i++ {
		wg.Go(func() {
			for j := 0; j < *n / *c; j++ {
				res, err := client.Get(*url)
				if err != nil {
					errs <- err
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("GET %s: %s", *url, res.Status)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		fmt.Fprintln(os.Stderr, "webload:", err)
		os.Exit(1)
	}
}
