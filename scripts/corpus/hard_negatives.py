"""Project-written benign requests that use the words attacks use: the shipped model's extra hard negatives.

An n-gram model learns that "override", "kill", "admin password", "system prompt", "bypass" and "write a script"
are attack words, because in the public corpora they mostly are. Ordinary users say them all day: developers
override methods and kill processes, people reset their routers' admin passwords, and idioms ("kill time", "shoot a
time-lapse", "crush the interview") sound violent. These templates teach the model the benign side.

Written for this project from everyday technical and household wording — not taken from any corpus file, and not
fitted to the test or unseen splits (which training_mix.py never reads). Each example records its template, so the
source of every line is visible. Deterministic: the same code gives the same lines in the same order.
"""

TEMPLATES = [
    # Processes and programs: kill, terminate, execute, abort.
    ("How do I kill the {x}?", ["java process that's eating all my RAM on Ubuntu", "zombie processes on my Linux server",
                                "stuck npm install on Windows", "background rsync job I started this morning",
                                "gunicorn workers without dropping requests"]),
    ("What's the difference between SIGTERM and SIGKILL when I want to stop {x}?",
     ["a Docker container", "a Postgres backend", "a systemd service", "a Node.js server"]),
    ("My {x} won't close. How do I force it to terminate?",
     ["Excel window", "Zoom client on macOS", "game on Steam", "Android emulator"]),
    ("How can I execute {x}?", ["a Python script every night at 2 a.m. with cron", "SQL files in order with psql",
                                "a PowerShell script that is blocked by the execution policy on my own PC",
                                "a Jupyter notebook from the command line"]),
    ("Is it safe to abort {x} halfway through?", ["a git rebase", "a database migration", "a firmware update",
                                                   "a disk defragmentation"]),
    # Programming words that attacks borrow: override, inject, bypass, exploit, payload, hack.
    ("How do I override {x}?", ["equals and hashCode in a Java record", "the __repr__ method of a Python dataclass",
                                "a default implementation in a Swift protocol extension",
                                "the theme colors of a Material UI component", "a Terraform variable from the CLI"]),
    ("Can you explain dependency injection in {x} with a short example?",
     ["Spring Boot", "ASP.NET Core", "Angular", "FastAPI"]),
    ("What is {x}, and how do parameterized queries or escaping prevent it?",
     ["SQL injection in PHP", "command injection in a Bash wrapper", "LDAP injection", "cross-site scripting in React"]),
    ("How do I bypass {x} for my own account?", ["the 30-day password rotation on my work laptop (IT said I may)",
                                                  "the Jenkins login for local builds",
                                                  "the proxy for localhost connections"]),
    ("Which JSON payload does {x} expect?", ["the Stripe webhook", "the GitHub REST API when creating an issue",
                                             "Slack's chat.postMessage endpoint", "our OpenAPI spec's /orders route"]),
    ("I want to hack together {x} this weekend. Where should I start?",
     ["a home-automation dashboard", "a Discord bot for my book club", "a Raspberry Pi weather station",
      "a browser extension that hides spoilers"]),
    ("Is there an exploit of {x} in my own code that makes it faster?",
     ["memoization", "SIMD", "branch prediction", "copy-on-write"]),
    # Accounts and passwords: the owner's own.
    ("I forgot the admin password of {x}. How do I factory-reset it?",
     ["my Netgear router", "our office printer", "my Ubiquiti access point", "the old Synology NAS in the closet"]),
    ("How do I change the root password on {x}?", ["a fresh Debian install", "my MySQL server", "a Raspberry Pi",
                                                   "an Ubuntu VM on Azure"]),
    ("Walk me through turning on two-factor authentication for {x}.",
     ["my Google account", "our company's GitHub organization", "my Coinbase account", "Microsoft 365"]),
    ("What's a good policy for {x}?", ["rotating API keys in a small startup", "storing passwords in our web app",
                                        "sharing admin credentials among three sysadmins", "revoking leaked tokens"]),
    # Writing scripts and code for one's own data.
    ("Write a Python script that {x}.",
     ["renames the photos in a folder by the date they were taken", "scrapes the prices from my own shop's product pages",
      "backs up my notes folder to an S3 bucket", "deletes log files older than thirty days",
      "merges all the CSV bank statements in a folder into one"]),
    ("Write a Bash one-liner to {x}.", ["find the ten largest files in my home directory",
                                        "kill every process listening on port 3000", "count lines of code per language",
                                        "download all PDFs linked from my own course page"]),
    # LLM developers talk about system prompts and instructions.
    ("How do I set the system prompt when calling {x}?", ["the OpenAI chat completions API", "Claude through the API",
                                                          "a local Llama model with llama.cpp", "Ollama from Python"]),
    ("Our support bot sometimes ignores its system prompt when {x}. How can we make it more robust?",
     ["customers write in Spanish", "the conversation gets long", "users paste long emails", "a tool returns an error"]),
    ("Where in {x} do I put the instructions for the model?", ["a LangChain agent", "a LlamaIndex query engine",
                                                                "the Assistants API", "a Semantic Kernel plugin"]),
    ("Review this system prompt for our {x} and suggest clearer wording.",
     ["recipe assistant", "IT help-desk bot", "legal intake form assistant", "language-learning tutor"]),
    # Ordinary "ignore", "forget", "disregard", "new instructions" from users to an assistant.
    ("Ignore {x} when you compute the average.", ["the last column of the CSV", "the rows marked as test data",
                                                 "weekends", "the outlier in March"]),
    ("Please disregard {x}; use this one instead.", ["the attachment in my earlier message", "the first version of the table",
                                                    "the draft I pasted above", "the old address"]),
    ("Forget the previous draft — {x}.", ["write a shorter opening for the newsletter",
                                          "start the cover letter with my volunteering work",
                                          "make the toast funnier", "rewrite it for a ten-year-old"]),
    ("New instructions for the {x}: {y}", [
        ("team", "stand-ups move to 9:30 starting Monday."),
        ("night shift", "lock the loading dock before 11 p.m."),
        ("volunteers", "bring gloves and water bottles on Saturday."),
        ("interns", "submit timesheets by Friday noon."),
    ]),
    # Idioms that sound violent.
    ("What's a good way to {x}?", ["kill time during a six-hour layover", "shoot a time-lapse of the night sky",
                                    "beat the heat without air conditioning", "break the ice at a networking event",
                                    "crush my next job interview", "knock out a report in one afternoon",
                                    "blow the audience away at a keynote", "destroy the competition at our pub quiz"]),
    ("How do I {x}?", ["steal a base in baseball", "attack a chess opening like the Sicilian",
                       "bomb a cooking show audition less badly next time", "hit harder in tennis",
                       "execute a perfect three-point turn", "fire a clay pot in a home kiln"]),
    # Safety, health and chemistry asked for safety.
    ("Which {x} are dangerous to mix, so I can store them safely?",
     ["cleaning products", "pool chemicals", "garden fertilizers", "garage solvents"]),
    ("My child just swallowed {x}. What should I do right now?",
     ["a button battery", "a few vitamin gummies", "some dish soap", "a coin"]),
    ("How should I dispose of {x}?", ["expired prescription painkillers", "old paint thinner", "a broken thermometer",
                                      "used lithium batteries"]),
    # Defenders asking about attacks.
    ("How do I detect {x} on our company network?", ["ransomware before it spreads", "keyloggers on laptops",
                                                    "credential-stuffing attempts", "a botnet infection"]),
    ("Explain how {x} works so I can teach my team to recognize it.",
     ["phishing", "a man-in-the-middle attack on public Wi-Fi", "prompt injection in AI assistants",
      "a fake invoice scam"]),
    ("What are the warning signs that {x}?", ["an email is a phishing attempt", "my phone has spyware on it",
                                              "an online seller is a scam", "a chatbot has been jailbroken"]),
    # Benign role-play.
    ("Pretend you are {x} and quiz me on {y}.", [
        ("my chemistry teacher", "balancing redox equations"),
        ("a driving examiner", "right-of-way rules"),
        ("a museum guide", "Impressionist painters"),
        ("a Spanish tutor", "irregular past-tense verbs"),
    ]),
]

def hard_negatives():
    """(text, template) pairs, in a fixed order."""
    out = []
    for template, fillers in TEMPLATES:
        for filler in fillers:
            # A two-slot template takes (x, y) pairs.
            x, y = filler if isinstance(filler, tuple) else (filler, "")
            out.append((template.replace("{x}", x).replace("{y}", y), template))
    return out


if __name__ == "__main__":
    for text, _ in hard_negatives():
        print(text)
