from art.cli import main

main()
