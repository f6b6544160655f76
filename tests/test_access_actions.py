"""Every action answers every persona as the access table says, each on a fresh world.

The actions live apart from the pages: the pages share one world per module, and
that world must be gone before an action builds its own.
"""

import pytest

from tests.test_access import WRITES, check


@pytest.mark.parametrize(
    ("endpoint", "method", "template", "persona", "status"), WRITES
)
def test_action_answers_persona_as_the_table_says(
    as_persona, world, endpoint, method, template, persona, status
):
    check(as_persona(persona), world, method, template, status)
