import sys

from hall_app.cli import main

sys.exit(main())
