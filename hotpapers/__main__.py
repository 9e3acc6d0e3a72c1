from adapters.cli.main import run

run()
