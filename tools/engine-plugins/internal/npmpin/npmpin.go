// Package npmpin reads the project's package.json, so each stand-in's tests can hold the version
// it reports to the one the Node.js SDK pins (and so asks the engine for).
package npmpin

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// Of returns the exact version package.json (three directories up from a stand-in's package)
// pins for the dependency pkg.
func Of(pkg string) (string, error) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "package.json"))
	if err != nil {
		return "", err
	}
	var manifest struct{ Dependencies map[string]string }
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return "", err
	}
	version, ok := manifest.Dependencies[pkg]
	if !ok {
		return "", fmt.Errorf("package.json has no dependency %s", pkg)
	}
	return version, nil
}
