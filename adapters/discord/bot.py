"""The Discord bot: ``/hotpapers`` application commands on discord.py 2.

``/hotpapers now`` (categories with autocomplete, date, top, keywords, public), the views over
stored days ``/hotpapers rising|week|month`` (the same options; ``date`` is the last day) and
``/hotpapers subscribe|unsubscribe|subscriptions|pause|resume|help`` (``subscribe`` takes
``weekly`` DAY and ``lag``; ``pause`` and ``resume`` subscription numbers; the digests and
``subscribe`` take ``authors`` and ``not``), and each person's own ``/hotpapers
picks|me|follow|unfollow|follows|dm|forget``, always answered privately. Discord does not let
one command take options and subcommands at once, so the digest is the ``now`` subcommand and
each view its own subcommand. Every interaction is deferred at once and answered with
follow-ups, ephemeral unless ``public`` (a change to the channel's subscriptions is announced
publicly, naming who made it); values are validated by the same command language as Slack's.
Changing subscriptions needs Manage Channels (or the listed admins, by policy). Nothing can
ping: every message is sent with no allowed mentions.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import discord
from discord import app_commands

from adapters.discord.embeds import escape, to_messages
from adapters.discord.feedback import DiscordFeedback, view_of
from bot.chat import CommandHandler, Context, DigestReply, Reply, TextReply, announcement
from bot.taxonomy import load_taxonomy

MAX_CHOICES = 25
log = logging.getLogger("hotpapers.discord")
Policy = Callable[[discord.Interaction], bool]


def manage_channels(interaction: discord.Interaction) -> bool:
    permissions = interaction.permissions
    return bool(permissions.manage_channels or permissions.administrator)


def category_choices(current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 categories matching the word being typed (after the ones already typed)."""
    typed = current.split(" ")
    head, word = typed[:-1], typed[-1].lower()
    taxonomy = load_taxonomy()
    found = [c for c in taxonomy.categories if c.lower().startswith(word)]
    found += [
        c
        for c in taxonomy.categories
        if word and word in taxonomy.name(c).lower() and c not in found
    ]
    prefix = " ".join([*head, ""]) if head else ""
    return [
        app_commands.Choice(
            name=f"{prefix}{c} — {taxonomy.name(c)}"[:100], value=f"{prefix}{c}"[:100]
        )
        for c in found[:MAX_CHOICES]
    ]


async def send(interaction: discord.Interaction, reply: Reply) -> None:
    """Follow up a deferred interaction with the reply (never pinging anyone)."""
    none = discord.AllowedMentions.none()
    if isinstance(reply, TextReply) and reply.kind == "confirmation":
        # The first follow-up keeps the deferral's ephemeral flag; the second may be public.
        await interaction.followup.send(
            "Done: announced in this channel.", ephemeral=True, allowed_mentions=none
        )
        text = announcement(escape(reply.text), interaction.user.mention)
        await interaction.followup.send(text[:2000], allowed_mentions=none)
        return
    if not isinstance(reply, DigestReply):
        await interaction.followup.send(
            escape(reply.text)[:2000], ephemeral=True, allowed_mentions=none
        )
        return
    # With feedback (``adapters.discord.feedback``): the buttons, the channel's own count, and
    # a public digest's papers remembered so that reactions on it count.
    feedback: DiscordFeedback | None = getattr(interaction.client, "feedback", None)
    guild, channel = str(interaction.guild_id or ""), str(interaction.channel_id or "")
    digest = reply.digest if feedback is None else await feedback.own(guild, channel, reply.digest)
    for message in to_messages(digest, with_buttons=feedback is not None):
        sent = await interaction.followup.send(
            message["content"],
            embeds=[discord.Embed.from_dict(e) for e in message["embeds"]],
            ephemeral=not reply.public,
            allowed_mentions=none,
            view=view_of(message) or discord.utils.MISSING,
            wait=True,
        )
        if feedback is not None and reply.public:
            await feedback.posted(guild, channel, str(sent.id), message)


async def answer(
    interaction: discord.Interaction,
    handler: CommandHandler,
    text: str,
    *,
    public: bool,
    may_manage: bool,
) -> None:
    """Defer at once (Discord wants an answer within 3 s), then run the command and follow up."""
    await interaction.response.defer(ephemeral=not public, thinking=True)
    context = Context(
        platform="discord",
        workspace=str(interaction.guild_id or ""),
        channel=str(interaction.channel_id or ""),
        user=str(interaction.user.id),
        may_manage=may_manage,
    )
    await send(interaction, await handler.handle(text, context))


def words(*parts: tuple[str, object | None]) -> str:
    """The command-language text of some options: ``("top", 5)`` → ``top 5``."""
    out = []
    for name, value in parts:
        if value is None or value is False or value == "":
            continue
        out.append(name if value is True else f"{name} {value}".strip())
    return " ".join(out)


def build_group(handler: CommandHandler, *, policy: Policy = manage_channels) -> app_commands.Group:
    group = app_commands.Group(
        name="hotpapers", description="The arXiv papers people are talking about"
    )

    for view, description in (
        ("now", "The hot papers now (this channel's categories, else all)"),
        ("rising", "What gained most engagement per hour over the last days"),
        ("week", "The best papers of the week ending at the date (default: the latest day)"),
        ("month", "The best papers of the month ending at the date (default: the latest day)"),
    ):
        group.add_command(_view_command(handler, policy, view, description))

    @group.command(
        name="subscribe", description="Post the digest of some categories here every day or week"
    )
    @app_commands.describe(
        categories="e.g. cs.LG cs.CV",
        at="HH:MM",
        tz="e.g. Europe/Berlin",
        top="1 to 100",
        weekdays="mon-fri, daily…",
        weekly="one weekday, e.g. fri: the best of the week, once a week",
        lag="1d: each day, the announcement before the latest, with a day of engagement",
        refresh="e.g. 24h: edit posts later with settled counts; off to stop",
        keywords="words to look for",
        authors='e.g. "Yann LeCun", Y. Bengio',
        exclude="words that drop a paper",
        mix="0 hot only … 1 close to what this channel likes only (default 0.3)",
    )
    @app_commands.rename(exclude="not")
    async def subscribe(
        interaction: discord.Interaction,
        categories: str,
        at: str | None = None,
        tz: str | None = None,
        top: app_commands.Range[int, 1, 100] | None = None,
        weekdays: str | None = None,
        weekly: str | None = None,
        lag: Literal["0", "1d"] | None = None,
        refresh: str | None = None,
        keywords: str | None = None,
        authors: str | None = None,
        exclude: str | None = None,
        mix: app_commands.Range[float, 0.0, 1.0] | None = None,
    ) -> None:
        text = words(
            ("subscribe", categories),
            ("at", at),
            ("tz", tz),
            ("top", top),
            ("weekdays", weekdays),
            ("weekly", weekly),
            ("lag", lag),
            ("refresh", refresh),
            ("keywords", keywords),
            ("authors", authors),
            ("not", exclude),
            ("mix", None if mix is None else f"{mix:g}"),
        )
        await answer(interaction, handler, text, public=False, may_manage=policy(interaction))

    @group.command(name="unsubscribe", description="Stop some categories, or everything")
    async def unsubscribe(interaction: discord.Interaction, categories: str | None = None) -> None:
        await answer(
            interaction,
            handler,
            words(("unsubscribe", categories or True)),
            public=False,
            may_manage=policy(interaction),
        )

    for name, description in (
        ("subscriptions", "What this channel gets"),
        ("help", "How to use hotpapers"),
    ):
        group.add_command(_simple_command(handler, policy, name, description))
    for name, description in (
        ("pause", "Pause this channel's digests (some by number, else all)"),
        ("resume", "Resume this channel's digests (some by number, else all)"),
    ):
        group.add_command(_pause_command(handler, policy, name, description))
    _personal_commands(group, handler, policy)
    subscribe.autocomplete("categories")(_autocomplete)
    unsubscribe.autocomplete("categories")(_autocomplete)
    return group


# Each command's word is bound in a closure, never as a default argument: discord.py would
# declare such an argument an option that anyone could fill with another command.
def _simple_command(
    handler: CommandHandler, policy: Policy, name: str, description: str
) -> app_commands.Command[app_commands.Group, ..., None]:
    """A subcommand without options: its name is the whole command."""

    async def simple(interaction: discord.Interaction) -> None:
        await answer(interaction, handler, name, public=False, may_manage=policy(interaction))

    return app_commands.Command(name=name, description=description, callback=simple)


def _pause_command(
    handler: CommandHandler, policy: Policy, name: str, description: str
) -> app_commands.Command[app_commands.Group, ..., None]:
    """``pause`` or ``resume``, of some subscriptions by number, else all of the channel's."""

    @app_commands.describe(subscriptions="numbers from /hotpapers subscriptions, e.g. 12 13")
    async def pausing(interaction: discord.Interaction, subscriptions: str | None = None) -> None:
        text = words((name, True), ("", subscriptions))
        await answer(interaction, handler, text, public=False, may_manage=policy(interaction))

    return app_commands.Command(name=name, description=description, callback=pausing)


def _personal_commands(group: app_commands.Group, handler: CommandHandler, policy: Policy) -> None:
    """``/hotpapers picks|me|follow|unfollow|follows|dm|forget``: each person's own, answered
    only to them (picks: this channel's, answered privately too)."""

    async def run(interaction: discord.Interaction, text: str) -> None:
        await answer(interaction, handler, text, public=False, may_manage=policy(interaction))

    @group.command(name="picks", description="What this channel liked and saved most")
    @app_commands.describe(span="the last week (default) or month")
    async def picks(
        interaction: discord.Interaction, span: Literal["week", "month"] | None = None
    ) -> None:
        await run(interaction, words(("picks", True), ("", span)))

    @group.command(name="me", description="The latest day ordered by your own 👍 and 🔖")
    @app_commands.describe(mix="0 hot only … 1 your taste only (default 0.5; kept for next time)")
    async def me(
        interaction: discord.Interaction, mix: app_commands.Range[float, 0.0, 1.0] | None = None
    ) -> None:
        await run(interaction, words(("me", True), ("mix", None if mix is None else f"{mix:g}")))

    @group.command(name="follow", description="A direct message each day with new papers")
    @app_commands.describe(
        kind="an author, a keyword, or papers similar to one",
        value='the name ("Yann LeCun"), the words, or the arXiv id',
    )
    async def follow(
        interaction: discord.Interaction,
        kind: Literal["author", "keyword", "similar"],
        value: str,
    ) -> None:
        await run(interaction, f"follow {kind} {value}")

    @group.command(name="unfollow", description="Stop following something")
    @app_commands.describe(what='numbers from /hotpapers follows, author "Name", keyword …, all')
    async def unfollow(interaction: discord.Interaction, what: str) -> None:
        await run(interaction, f"unfollow {what}")

    @group.command(name="follows", description="What you follow")
    async def follows(interaction: discord.Interaction) -> None:
        await run(interaction, "follows")

    @group.command(name="dm", description="When your daily direct message comes")
    @app_commands.describe(at="HH:MM", tz="e.g. Europe/Berlin")
    async def dm(interaction: discord.Interaction, at: str, tz: str | None = None) -> None:
        await run(interaction, words(("dm", True), ("at", at), ("tz", tz)))

    @group.command(name="forget", description="Delete everything hotpapers keeps about you")
    async def forget(interaction: discord.Interaction) -> None:
        await run(interaction, "forget me")


def _view_command(
    handler: CommandHandler, policy: Policy, view: str, description: str
) -> app_commands.Command[app_commands.Group, ..., None]:
    """``/hotpapers now|rising|week|month``: the same options, the view's word in front (the
    command language reads ``now`` like nothing at all)."""

    @app_commands.describe(
        categories="e.g. cs.LG cs.CV",
        date="YYYY-MM-DD" if view == "now" else "YYYY-MM-DD, the last day",
        top="1 to 100",
        keywords="words to look for",
        authors='e.g. "Yann LeCun", Y. Bengio',
        exclude="words that drop a paper",
        public="post for everyone",
    )
    @app_commands.rename(exclude="not")
    async def history(
        interaction: discord.Interaction,
        categories: str | None = None,
        date: str | None = None,
        top: app_commands.Range[int, 1, 100] | None = None,
        keywords: str | None = None,
        authors: str | None = None,
        exclude: str | None = None,
        public: bool = False,
    ) -> None:
        text = words(
            (view, True),
            ("", categories),
            ("date", date),
            ("top", top),
            ("keywords", keywords),
            ("authors", authors),
            ("not", exclude),
            ("public", public),
        )
        await answer(interaction, handler, text, public=public, may_manage=policy(interaction))

    command: app_commands.Command[app_commands.Group, ..., None] = app_commands.Command(
        name=view, description=description, callback=history
    )
    command.autocomplete("categories")(_autocomplete)
    return command


async def _autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return category_choices(current)


def commands_digest(
    tree: app_commands.CommandTree[discord.Client], guild: discord.Object | None
) -> str:
    payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[discord.Client], guild_id: int | None, marker: Path
) -> bool:
    """Sync the commands only when they changed: Discord limits command creation per day."""
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    digest = commands_digest(tree, guild)
    if _stored(marker) == digest:
        return False
    await tree.sync(guild=guild)
    _store(marker, digest)
    return True


def _stored(marker: Path) -> str:
    return marker.read_text().strip() if marker.is_file() else ""


def _store(marker: Path, digest: str) -> None:
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(digest)


class HotPapersBot(discord.AutoShardedClient):
    """A sharded client with the ``/hotpapers`` commands; it needs no privileged intents."""

    def __init__(
        self,
        handler: CommandHandler,
        *,
        marker: Path,
        dev_guild: int | None = None,
        shard_ids: list[int] | None = None,
        shard_count: int | None = None,
        policy: Policy = manage_channels,
        feedback: DiscordFeedback | None = None,
    ) -> None:
        sharding: dict[str, object] = {}
        if shard_count is not None:
            sharding["shard_count"] = shard_count
        if shard_ids is not None:
            sharding["shard_ids"] = shard_ids
        # hotpapers never joins voice: discord.py's warnings about missing voice libraries
        # would greet every start for nothing.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            # Guilds is not privileged; without it discord.py warns and knows no guild.
            # Reactions (not privileged either) reach on_raw_reaction_add/remove.
            intents=discord.Intents(guilds=True, guild_reactions=True),
            allowed_mentions=discord.AllowedMentions.none(),
            **sharding,  # type: ignore[arg-type]
        )
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(build_group(handler, policy=policy))
        self.marker = marker
        self.dev_guild = dev_guild
        self.feedback = feedback

    # The paper buttons and reactions (adapters.discord.feedback), dispatched on custom_id.
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        if self.feedback is not None:
            await self.feedback.interacted(interaction)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if self.feedback is not None:
            await self.feedback.reacted(payload, added=True, me=self.user.id if self.user else None)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        if self.feedback is not None:
            await self.feedback.reacted(
                payload, added=False, me=self.user.id if self.user else None
            )

    async def setup_hook(self) -> None:
        try:
            await sync_if_changed(self.tree, self.dev_guild, self.marker)
        except discord.HTTPException as exc:
            # The bot still posts and answers with the commands Discord already knows.
            log.warning(
                "Discord refused to sync the commands (%s); they are tried again at the next start",
                exc,
            )
