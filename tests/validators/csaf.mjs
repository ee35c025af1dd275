// Validates CSAF 2.0 documents with the BSI validator library (@secvisogram/csaf-validator-lib,
// installed by setup.sh into node_modules here): the strict CSAF 2.0 JSON schema test and every
// mandatory test (6.1.x, the csaf_vex profile tests included), as the library's validateStrict.
//
//     node csaf.mjs FILE...
//
// Prints nothing and exits 0 when every file is valid; prints each failed test's errors (and
// warnings are ignored) and exits 1 otherwise; exits 2 when the library is missing or no test
// ran (never a silent pass).
import { readFileSync } from 'node:fs'

let validateStrict, schemaTests, mandatoryTests
try {
  validateStrict = (await import('@secvisogram/csaf-validator-lib/validateStrict.js')).default
  schemaTests = await import('@secvisogram/csaf-validator-lib/schemaTests.js')
  mandatoryTests = await import('@secvisogram/csaf-validator-lib/mandatoryTests.js')
} catch (e) {
  console.error(`csaf-validator-lib is not installed: run tests/validators/setup.sh (${e.message})`)
  process.exit(2)
}
const tests = [schemaTests.csaf_2_0_strict, ...Object.values(mandatoryTests)]
if (tests.length < 30 || tests.some((t) => typeof t !== 'function')) {
  console.error(`expected the strict schema test and every mandatory test, found ${tests.length}`)
  process.exit(2)
}
const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('usage: node csaf.mjs FILE...')
  process.exit(2)
}
let failed = false
for (const file of files) {
  const doc = JSON.parse(readFileSync(file, 'utf-8'))
  const result = await validateStrict(tests, doc)
  if (result.tests.length !== tests.length) {
    console.error(`${file}: ${result.tests.length} of ${tests.length} tests ran`)
    process.exit(2)
  }
  if (!result.isValid) {
    failed = true
    for (const t of result.tests) {
      for (const e of t.errors) {
        console.log(`${file}: ${t.name}: ${e.message} at ${e.instancePath}`)
      }
    }
  }
}
process.exit(failed ? 1 : 0)
