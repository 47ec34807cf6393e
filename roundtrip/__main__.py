from roundtrip.cli import main

main()
